//! End to end: the real `eddy --local --demo` in a tmux pane, driven by
//! keys (`send-keys`) and read back with `capture-pane`. Every wait polls the
//! screen with a deadline; nothing sleeps and then asserts.
//!
//! Needs `tmux` (the Debian/Ubuntu package `tmux`). The test runs its own
//! tmux server on a private socket with no config file, so it neither sees nor
//! touches the user's sessions, and kills that server however the test ends.
//!
//! The tail tests run `eddy --endpoint-url` against the embedded backend of
//! this test process (so that what the TUI leaves on the backend can be
//! checked from outside) and end it with a signal.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
/// From `eddy` starting to the first queue list (a debug build on a busy CI box).
const START_WITHIN: Duration = Duration::from_secs(45);
/// A screen change after a key.
const STEP_WITHIN: Duration = Duration::from_secs(20);
/// The simulator puts a failing message into a DLQ after ~7 s.
const DLQ_FILLS_WITHIN: Duration = Duration::from_secs(90);

/// Every queue of the demo world that has a DLQ, and its DLQ.
const DLQS: &[&str] = &[
    "rewards-dlq",
    "warehouse-dlq",
    "shipping-dlq",
    "payments-dlq.fifo",
    "entity-recognition-dlq",
];

/// A private tmux server with one session; killed on drop.
struct Tmux {
    socket: PathBuf,
    session: String,
    dir: PathBuf,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket).arg("-f").arg("/dev/null");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self
            .cmd()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("tmux {args:?}: {e}"));
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Starts the command `command(dir)` returns in a detached WIDTH×HEIGHT
    /// session; `dir` is a fresh directory for its files.
    fn start(name: &str, command: impl FnOnce(&Path) -> String) -> Tmux {
        let version = Command::new("tmux")
            .arg("-V")
            .output()
            .unwrap_or_else(|e| panic!("tmux is needed for this test (apt-get install tmux): {e}"));
        assert!(version.status.success(), "tmux -V failed");
        let id = format!("{name}-{}-{}", std::process::id(), nanos());
        let dir = std::env::temp_dir().join(format!("eddy-tmux-{id}"));
        std::fs::create_dir_all(&dir).unwrap();
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
            session: id,
            dir,
        };
        let shell_command = command(&tmux.dir);
        let (w, h) = (WIDTH.to_string(), HEIGHT.to_string());
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            &tmux.session,
            "-x",
            &w,
            "-y",
            &h,
            &shell_command,
        ]);
        tmux
    }

    fn target(&self) -> String {
        format!("{}:0.0", self.session)
    }

    /// What the pane shows now, one string per row.
    fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.target()]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A tmux format variable of the pane (`alternate_on`, `cursor_flag`).
    fn pane_var(&self, var: &str) -> String {
        let format = format!("#{{{var}}}");
        let out = self.run(&["display-message", "-p", "-t", &self.target(), &format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Types text literally (no key-name lookup).
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.target(), "-l", text]);
    }

    /// Sends named keys: `Enter`, `Escape`, `Down`, `q`.
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys".to_string(), "-t".to_string(), self.target()];
        args.extend(keys.iter().map(|k| k.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args);
    }

    /// Polls the screen until `check` says yes, or fails with the screen.
    fn wait_for<T>(
        &self,
        what: &str,
        within: Duration,
        mut check: impl FnMut(&str) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + within;
        let mut pause = Duration::from_millis(20);
        loop {
            let screen = self.screen();
            if let Some(found) = check(&screen) {
                return found;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {within:?} waiting for {what}; the screen:\n{}\n{}",
                    frame(&screen),
                    self.log_tail()
                );
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    fn wait_text(&self, what: &str, within: Duration, check: impl Fn(&str) -> bool) {
        self.wait_for(what, within, |s| check(s).then_some(()));
    }

    fn log_tail(&self) -> String {
        match std::fs::read_to_string(self.dir.join("eddy.log")) {
            Ok(log) => {
                let lines: Vec<&str> = log.lines().collect();
                let tail = lines[lines.len().saturating_sub(20)..].join("\n");
                format!("eddy.log (last lines):\n{tail}")
            }
            Err(e) => format!("(no eddy.log: {e})"),
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn nanos() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

fn frame(screen: &str) -> String {
    let bar = "-".repeat(usize::from(WIDTH));
    format!("+{bar}+\n{screen}\n+{bar}+")
}

/// `'…'` for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The shell command the pane runs: eddy with dummy credentials, a private
/// config and log location, then its exit status and the tty's state.
fn eddy_command(dir: &Path) -> String {
    eddy_command_with(dir, "")
}

/// [`eddy_command`] with more `NAME=VALUE` variables (`env`, quoted).
fn eddy_command_with(dir: &Path, env: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_eddy");
    let unset = [
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SQS",
        "AWS_ENDPOINT_URL_EVENTBRIDGE",
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
        "AWS_ENDPOINT_URL_STS",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "NO_COLOR",
        "EDDY_LOG",
    ]
    .iter()
    .map(|v| format!("-u {v}"))
    .collect::<Vec<_>>()
    .join(" ");
    let config = dir.join("config");
    let state = dir.join("state");
    let log = dir.join("eddy.log");
    format!(
        "cd {cwd}; env {unset} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
         AWS_EC2_METADATA_DISABLED=true XDG_CONFIG_HOME={config} XDG_STATE_HOME={state} \
         EDDY_LOG_FILE={log} {env} {bin} --local --demo; \
         echo EDDY_EXITED=$?; \
         case \"$(stty -a)\" in *-icanon*|*-echo\\ *) echo TTY=raw;; *) echo TTY=sane;; esac; \
         exec sleep 600",
        cwd = quote(env!("CARGO_MANIFEST_DIR")),
        config = quote(&config.display().to_string()),
        state = quote(&state.display().to_string()),
        log = quote(&log.display().to_string()),
        bin = quote(bin),
    )
}

/// The whole numbers in a row's cells (`1,234` counts; `12s`, `3/5` do not).
fn numbers(line: &str) -> Vec<u64> {
    line.split(|c: char| c.is_whitespace() || c == '│' || c == '|')
        .filter_map(|cell| cell.replace(',', "").parse::<u64>().ok())
        .collect()
}

/// A DLQ whose row shows a message count above zero.
fn non_empty_dlq(screen: &str) -> Option<&'static str> {
    screen.lines().find_map(|line| {
        let name = DLQS.iter().find(|d| {
            line.split_whitespace()
                .any(|cell| cell.trim_matches(|c| c == '│' || c == '|') == **d)
        })?;
        numbers(line)
            .first()
            .is_some_and(|n| *n > 0)
            .then_some(*name)
    })
}

#[test]
fn the_tui_browses_a_dlq_peeks_a_message_and_quits_cleanly() {
    let tmux = Tmux::start("eddy-e2e", eddy_command);

    // 1. The queue list.
    let started = Instant::now();
    tmux.wait_text("the queue list", START_WITHIN, |s| {
        s.contains("rewards") && s.contains("warehouse") && s.contains("notify-subscribers")
    });
    eprintln!("first queue list after {:?}", started.elapsed());

    // 2. `:dlqs` → the DLQ view: DLQs, and not the queues without one.
    tmux.type_text(":dlqs");
    tmux.keys(&["Enter"]);
    tmux.wait_text("the DLQ view", STEP_WITHIN, |s| {
        s.contains("dead-letter queues")
            && s.contains("rewards-dlq")
            && !s.contains("notify-subscribers")
    });

    // 3. Wait for the simulator to dead-letter something.
    let dlq = tmux.wait_for("a DLQ with messages", DLQ_FILLS_WITHIN, non_empty_dlq);
    eprintln!("{dlq} has messages");

    // 4. `/` filter to that DLQ (so it is the selected row) and open it.
    tmux.type_text(&format!("/{dlq}"));
    tmux.keys(&["Enter"]);
    tmux.wait_text("the filtered DLQ list", STEP_WITHIN, |s| {
        s.contains(dlq) && DLQS.iter().filter(|d| **d != dlq).all(|d| !s.contains(d))
    });
    tmux.keys(&["Enter"]);
    tmux.wait_text("the DLQ's own view", STEP_WITHIN, |s| {
        s.contains(&format!("queue {dlq}")) && s.contains("to peek")
    });

    // 5. Peek: the dead-lettered events show up (their bodies are the
    // demo's EventBridge events, JSON).
    // SQS's counts are approximate and a receive may see fewer messages than
    // they say (eddy's backend under load too): an empty sample is peeked again.
    let mut tries = 0;
    loop {
        tries += 1;
        tmux.keys(&["p"]);
        let n = tmux.wait_for("a peek's answer", STEP_WITHIN, |s| {
            (!s.contains("peeking")).then(|| peeked(s)).flatten()
        });
        if n > 0 || tries == 5 {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    tmux.wait_text("peeked messages", STEP_WITHIN, |s| {
        peeked(s).is_some_and(|n| n > 0) && s.contains("{\"")
    });

    // 6. Open the first message: its body, pretty-printed JSON (a whole
    // event, or its `detail` when the target has an input path).
    tmux.keys(&["Enter"]);
    tmux.wait_text("the message", STEP_WITHIN, |s| {
        s.contains(&format!("message in {dlq}")) && s.contains("Body (JSON") && s.contains("\": ")
    });

    // 7. Esc goes back to the list.
    tmux.keys(&["Escape"]);
    tmux.wait_text("the message list again", STEP_WITHIN, |s| {
        s.contains(&format!("queue {dlq}"))
            && peeked(s).is_some_and(|n| n > 0)
            && !s.contains("message in")
    });

    // 8. `q` quits, with status 0, and leaves the terminal as it was.
    tmux.keys(&["q"]);
    tmux.wait_text("eddy to exit", STEP_WITHIN, |s| s.contains("EDDY_EXITED="));
    let screen = tmux.wait_for("the tty check", STEP_WITHIN, |s| {
        s.contains("TTY=").then(|| s.to_string())
    });
    assert!(
        screen.contains("EDDY_EXITED=0"),
        "eddy did not exit 0:\n{}",
        frame(&screen)
    );
    assert!(
        screen.contains("TTY=sane"),
        "the tty was left raw:\n{}",
        frame(&screen)
    );
    assert_eq!(
        tmux.pane_var("alternate_on"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(
        tmux.pane_var("cursor_flag"),
        "1",
        "the cursor was left hidden"
    );
    assert_eq!(
        tmux.pane_var("mouse_any_flag"),
        "0",
        "mouse reporting was left on"
    );
    for leftover in DLQS
        .iter()
        .chain(["notify-subscribers", "Body (JSON"].iter())
    {
        assert!(
            !screen.contains(leftover),
            "the TUI left `{leftover}` on the normal screen:\n{}",
            frame(&screen)
        );
    }
    assert!(!screen.contains("panicked"), "{}", frame(&screen));

    // Logs went to the file ($EDDY_LOG_FILE), not the terminal.
    let log_path = tmux.dir.join("eddy.log");
    let log = std::fs::read_to_string(&log_path)
        .unwrap_or_else(|e| panic!("no log file at {}: {e}", log_path.display()));
    assert!(!log.is_empty(), "the log file is empty");
}

/// Issue 14 in the real TUI: `:functions` answers (functions, or "this
/// backend has no Lambda API"), a DLQ's queue view shows its consumer panel
/// once read, and a dead-lettered message's view opens with "why it failed"
/// (first "looking…", then an answer, never a frozen screen); `L` there
/// either opens the evidence's log group or says there is none.
#[test]
fn functions_the_consumer_panel_and_why_it_failed() {
    let tmux = Tmux::start("eddy-why", eddy_command);
    tmux.wait_text("the queue list", START_WITHIN, |s| {
        s.contains("rewards") && s.contains("warehouse")
    });

    tmux.type_text(":functions");
    tmux.keys(&["Enter"]);
    tmux.wait_text("the functions view answered", STEP_WITHIN, |s| {
        s.contains("functions (") && !s.contains("loading…")
    });
    let screen = tmux.screen();
    assert!(
        screen.contains("no Lambda API") || screen.contains("RUNTIME"),
        "{}",
        frame(&screen)
    );

    tmux.type_text(":dlqs");
    tmux.keys(&["Enter"]);
    let dlq = tmux.wait_for("a DLQ with messages", DLQ_FILLS_WITHIN, non_empty_dlq);
    tmux.type_text(&format!("/{dlq}"));
    tmux.keys(&["Enter"]);
    tmux.wait_text("the filtered DLQ list", STEP_WITHIN, |s| {
        s.contains(dlq) && DLQS.iter().filter(|d| **d != dlq).all(|d| !s.contains(d))
    });
    tmux.keys(&["Enter"]);
    tmux.wait_text("the DLQ's consumer panel, read", STEP_WITHIN, |s| {
        s.contains(&format!("queue {dlq}")) && s.contains("consumers") && !s.contains("reading…")
    });

    let mut tries = 0;
    loop {
        tries += 1;
        tmux.keys(&["p"]);
        let n = tmux.wait_for("a peek's answer", STEP_WITHIN, |s| {
            (!s.contains("peeking")).then(|| peeked(s)).flatten()
        });
        if n > 0 || tries == 5 {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    tmux.keys(&["Enter"]);
    tmux.wait_text("the message with its why panel", STEP_WITHIN, |s| {
        s.contains(&format!("message in {dlq}")) && s.contains("why it failed")
    });
    tmux.wait_text("why it failed, answered", STEP_WITHIN, |s| {
        s.contains("why it failed") && !s.contains("looking…")
    });
    tmux.keys(&["L"]);
    tmux.wait_text(
        "the evidence's log view, or a word that there is none",
        STEP_WITHIN,
        |s| {
            s.contains("no evidence line to open")
                || (s.contains(" · since ") && s.contains(" events · "))
        },
    );

    tmux.keys(&["q"]);
    tmux.wait_text("eddy to exit", STEP_WITHIN, |s| s.contains("EDDY_EXITED="));
    let screen = tmux.screen();
    assert!(screen.contains("EDDY_EXITED=0"), "{}", frame(&screen));
    assert!(!screen.contains("panicked"), "{}", frame(&screen));
}

/// `N` in the queue view's " messages: sample of N of ~M" title.
fn peeked(screen: &str) -> Option<u64> {
    let (_, rest) = screen.split_once("messages: sample of ")?;
    rest.split_whitespace().next()?.parse().ok()
}

#[test]
fn numbers_reads_cells() {
    assert_eq!(peeked("┌ messages: sample of 3 of ~7, peeked at"), Some(3));
    assert_eq!(peeked("┌ messages: peeking… "), None);
    assert_eq!(
        numbers("│ rewards-dlq │ 1,234 │ 0 │ 12s │ 3/5"),
        vec![1234, 0]
    );
    assert_eq!(
        non_empty_dlq("  rewards-dlq      0   0\n  warehouse-dlq    4   0"),
        Some("warehouse-dlq")
    );
    assert_eq!(non_empty_dlq("  rewards-dlq      0   0"), None);
}

/// `e` on a dead-lettered message, then ctrl-o: the body goes to `$EDITOR`
/// (a script that writes a new body) with the terminal handed over, and
/// comes back into the editor on the alternate screen; Esc then asks
/// before discarding the edit; the terminal is sane at the end.
#[test]
fn ctrl_o_edits_the_body_in_editor_and_comes_back() {
    let tmux = Tmux::start("eddy-editor", |dir| {
        let script = dir.join("editor.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\n[ -t 0 ] || exit 3\nprintf '{\"edited\": \"by-the-editor-script\"}\\n' > \"$1\"\n",
        )
        .unwrap();
        let mut perms = std::fs::metadata(&script).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&script, perms).unwrap();
        eddy_command_with(
            dir,
            &format!("EDITOR={} VISUAL=", quote(&script.display().to_string())),
        )
    });
    tmux.wait_text("the queue list", START_WITHIN, |s| s.contains("rewards"));
    tmux.type_text(":dlqs");
    tmux.keys(&["Enter"]);
    tmux.wait_text("the DLQ view", STEP_WITHIN, |s| {
        s.contains("dead-letter queues")
    });
    let dlq = tmux.wait_for("a DLQ with messages", DLQ_FILLS_WITHIN, non_empty_dlq);
    tmux.type_text(&format!("/{dlq}"));
    tmux.keys(&["Enter"]);
    tmux.wait_text("the filtered DLQ list", STEP_WITHIN, |s| {
        s.contains(dlq) && DLQS.iter().filter(|d| **d != dlq).all(|d| !s.contains(d))
    });
    tmux.keys(&["Enter"]);
    tmux.wait_text("the DLQ's own view", STEP_WITHIN, |s| {
        s.contains(&format!("queue {dlq}")) && s.contains("to peek")
    });
    // A peek may see none of what the counts say: peek again until one
    // shows messages (polling with a deadline).
    let deadline = Instant::now() + DLQ_FILLS_WITHIN;
    loop {
        tmux.keys(&["p"]);
        std::thread::sleep(Duration::from_millis(500));
        let screen = tmux.screen();
        if !screen.contains("peeking") && peeked(&screen).is_some_and(|n| n > 0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no peek showed messages:\n{}",
            frame(&screen)
        );
    }
    tmux.keys(&["e"]);
    tmux.wait_text("the message editor", STEP_WITHIN, |s| {
        s.contains("ctrl-s send")
    });
    tmux.keys(&["C-o"]);
    tmux.wait_text("the body back from the editor", STEP_WITHIN, |s| {
        s.contains("by-the-editor-script") && s.contains("back from $EDITOR")
    });
    assert_eq!(
        tmux.pane_var("alternate_on"),
        "1",
        "not back on the alternate screen"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_text("the discard question", STEP_WITHIN, |s| {
        s.contains("discard your edits?")
    });
    tmux.keys(&["y"]);
    tmux.wait_text("the queue view again", STEP_WITHIN, |s| {
        s.contains("left the editor: nothing was sent")
    });
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("the tty check", STEP_WITHIN, |s| {
        s.contains("TTY=").then(|| s.to_string())
    });
    assert!(screen.contains("EDDY_EXITED=0"), "{}", frame(&screen));
    assert!(screen.contains("TTY=sane"), "{}", frame(&screen));
}

// ------------------------------------------------- a tail ended by a signal

/// The pane's command for the tail tests: eddy on `url` (the backend of this
/// test process), its pid in `dir/pid`, its stderr in `dir/stderr`, then its
/// exit status and the tty's state as in [`eddy_command`].
fn eddy_on(url: &str) -> impl FnOnce(&Path) -> String {
    let url = url.to_string();
    move |dir: &Path| {
        let bin = env!("CARGO_BIN_EXE_eddy");
        let inner = format!(
            "echo $$ > {pid}; exec env -u AWS_PROFILE -u AWS_ENDPOINT_URL -u AWS_SESSION_TOKEN \
             -u AWS_REGION -u AWS_DEFAULT_REGION -u NO_COLOR -u EDDY_LOG \
             AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
             AWS_EC2_METADATA_DISABLED=true XDG_CONFIG_HOME={config} XDG_STATE_HOME={state} \
             EDDY_STATE_DIR={state} EDDY_LOG_FILE={log} {bin} --endpoint-url {url}",
            pid = quote(&dir.join("pid").display().to_string()),
            config = quote(&dir.join("config").display().to_string()),
            state = quote(&dir.join("state").display().to_string()),
            log = quote(&dir.join("eddy.log").display().to_string()),
            bin = quote(bin),
        );
        format!(
            "cd {cwd}; sh -c {inner} 2>{err}; echo EDDY_EXITED=$?; \
             case \"$(stty -a)\" in *-icanon*|*-echo\\ *) echo TTY=raw;; *) echo TTY=sane;; esac; \
             exec sleep 600",
            cwd = quote(env!("CARGO_MANIFEST_DIR")),
            inner = quote(&inner),
            err = quote(&dir.join("stderr").display().to_string()),
        )
    }
}

/// Polls `check` (every 100 ms, up to `within`) until it holds.
fn wait_until(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `eddy-tail-…` rules on `bus`.
fn tail_rules(rt: &tokio::runtime::Runtime, c: &eddy::aws::Clients, bus: &str) -> Vec<String> {
    rt.block_on(c.list_rules(Some(bus)))
        .unwrap_or_else(|e| panic!("list the rules of {bus}: {e}"))
        .into_iter()
        .map(|r| r.name)
        .filter(|n| n.starts_with(eddy::ops::tail::NAME_PREFIX))
        .collect()
}

/// Starts eddy in tmux on the test's backend, opens a tail of a new bus
/// (`:buses`, filter, `t`) and waits until its rule is on the bus; returns
/// the pane, the runtime and clients, the bus and the tail's name.
fn tui_tailing(
    name: &str,
) -> (
    Tmux,
    tokio::runtime::Runtime,
    eddy::aws::Clients,
    String,
    String,
) {
    let url = common::eddy_endpoint();
    let rt = common::runtime();
    let c = rt.block_on(common::Target::Eddy.clients());
    let bus = common::unique("tuitail");
    rt.block_on(c.create_bus(&bus)).unwrap();
    let tmux = Tmux::start(name, eddy_on(&url));
    tmux.wait_text("the queue list", START_WITHIN, |s| s.contains("queues"));
    tmux.type_text(":buses");
    tmux.keys(&["Enter"]);
    tmux.wait_text("the bus list", STEP_WITHIN, |s| s.contains(&bus));
    tmux.type_text(&format!("/{bus}"));
    tmux.keys(&["Enter"]);
    tmux.wait_text("the filtered bus list", STEP_WITHIN, |s| {
        s.contains(&bus) && !s.contains("default")
    });
    tmux.keys(&["t"]);
    let mut tail = Vec::new();
    wait_until("the tail's rule on the bus", STEP_WITHIN, || {
        tail = tail_rules(&rt, &c, &bus);
        !tail.is_empty()
    });
    tmux.wait_text("the tail view", STEP_WITHIN, |s| s.contains("eddy-tail-"));
    let tail = tail.remove(0);
    (tmux, rt, c, bus, tail)
}

/// The queue and rule of the tail are gone from the backend, and eddy's
/// stderr said it removed them.
fn assert_cleaned_up(
    tmux: &Tmux,
    rt: &tokio::runtime::Runtime,
    c: &eddy::aws::Clients,
    bus: &str,
    tail: &str,
) {
    let err_file = tmux.dir.join("stderr");
    let read = || std::fs::read_to_string(&err_file).unwrap_or_default();
    wait_until("eddy to say what it removed", STEP_WITHIN, || {
        read().contains(&format!("removed queue {tail}"))
    });
    let err = read();
    assert!(
        err.contains(&format!("removed rule {tail} on bus {bus}")),
        "stderr: {err}"
    );
    assert!(tail_rules(rt, c, bus).is_empty(), "rules left on {bus}");
    let q = rt.block_on(c.queue_url(tail));
    assert!(
        matches!(&q, Err(e) if e.is_not_found()),
        "queue {tail} is still there: {q:?}"
    );
    rt.block_on(c.delete_bus(bus)).unwrap();
}

fn eddy_pid(tmux: &Tmux) -> String {
    std::fs::read_to_string(tmux.dir.join("pid"))
        .expect("eddy's pid file")
        .trim()
        .to_string()
}

fn kill(pid: &str, signal: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, pid])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -s {signal} {pid} failed");
}

#[test]
fn sigterm_during_a_tail_removes_it_and_restores_the_terminal() {
    let (tmux, rt, c, bus, tail) = tui_tailing("eddy-tail-term");
    kill(&eddy_pid(&tmux), "TERM");
    let screen = tmux.wait_for("the tty check", STEP_WITHIN, |s| {
        s.contains("TTY=").then(|| s.to_string())
    });
    assert!(screen.contains("EDDY_EXITED=0"), "{}", frame(&screen));
    assert!(screen.contains("TTY=sane"), "{}", frame(&screen));

    assert_eq!(
        tmux.pane_var("alternate_on"),
        "0",
        "still on the alternate screen"
    );
    assert_cleaned_up(&tmux, &rt, &c, &bus, &tail);
    assert!(
        std::fs::read_to_string(tmux.dir.join("stderr"))
            .unwrap_or_default()
            .contains("stopped (terminate)")
    );
}

#[test]
fn sigint_during_a_tail_removes_it() {
    let (tmux, rt, c, bus, tail) = tui_tailing("eddy-tail-int");
    kill(&eddy_pid(&tmux), "INT");
    let screen = tmux.wait_for("the tty check", STEP_WITHIN, |s| {
        s.contains("TTY=").then(|| s.to_string())
    });
    assert!(screen.contains("EDDY_EXITED=0"), "{}", frame(&screen));
    assert!(screen.contains("TTY=sane"), "{}", frame(&screen));
    assert_cleaned_up(&tmux, &rt, &c, &bus, &tail);
}

#[test]
fn closing_the_terminal_during_a_tail_removes_it() {
    let (tmux, rt, c, bus, tail) = tui_tailing("eddy-tail-hup");
    // The pane goes away: its processes get SIGHUP, as when a terminal
    // window is closed.
    tmux.run(&["kill-pane", "-t", &tmux.target()]);
    assert_cleaned_up(&tmux, &rt, &c, &bus, &tail);
}

/// An SNS client of the SDK on `url` (the test's embedded backend): eddy's
/// own client only reads topics and acts as an operator, so the test makes
/// its topic and subscription with the SDK, as an app would.
async fn sns_client(url: &str) -> aws_sdk_sns::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(url)
        .region(aws_types::region::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::from_keys(
            "test", "test", None,
        ))
        .load()
        .await;
    aws_sdk_sns::Client::new(&conf)
}

/// `:topics` → a topic → its subscription (protocol, queue, filter policy)
/// → `w`: the filter-policy workbench on its policy, `h`: the subscriptions
/// a sample message reaches. eddy runs on the test's embedded backend, where
/// the test made the topic and its filtered SQS subscription.
#[test]
fn topics_a_subscription_and_its_filter_policy_in_the_workbench() {
    let url = common::eddy_endpoint();
    let rt = common::runtime();
    let c = rt.block_on(common::Target::Eddy.clients());
    let sns = rt.block_on(sns_client(&url));
    let topic = common::unique("tuitopic");
    let queue = common::unique("tuisub");
    let queue_url = rt
        .block_on(c.create_queue(&queue, &Default::default()))
        .unwrap();
    let queue_arn = rt.block_on(c.get_queue(&queue_url)).unwrap().arn;
    let topic_arn = rt
        .block_on(sns.create_topic().name(&topic).send())
        .unwrap()
        .topic_arn
        .unwrap();
    rt.block_on(
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(&queue_arn)
            .attributes("FilterPolicy", r#"{"topic":["news"]}"#)
            .return_subscription_arn(true)
            .send(),
    )
    .unwrap();

    let tmux = Tmux::start("eddy-topics", eddy_on(&url));
    tmux.wait_text("the queue list", START_WITHIN, |s| s.contains("queues"));
    tmux.type_text(":topics");
    tmux.keys(&["Enter"]);
    tmux.wait_text("the topic list", STEP_WITHIN, |s| {
        s.contains("topics (") && s.contains(&topic)
    });
    tmux.type_text(&format!("/{topic}"));
    tmux.keys(&["Enter"]);
    tmux.wait_text("the filtered topic list", STEP_WITHIN, |s| {
        s.contains("topics (1)")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_text("the topic's subscription", STEP_WITHIN, |s| {
        s.contains(&format!("topic {topic}"))
            && s.contains("subscriptions (1)")
            && s.contains(&queue)
            && s.contains(r#"attrs {"topic":["news"]}"#)
    });
    tmux.keys(&["w"]);
    tmux.wait_text("the filter-policy workbench", STEP_WITHIN, |s| {
        s.contains("filter-policy workbench")
            && s.contains("filter policy (MessageAttributes) ✓ valid")
            && s.contains("news-post")
    });
    // The list, then which subscriptions the first sample (topic news) reaches.
    tmux.keys(&["Tab"]);
    tmux.keys(&["h"]);
    tmux.wait_text("the subscriptions it reaches", STEP_WITHIN, |s| {
        s.contains("which subscriptions it reaches") && s.contains(&format!("REACH sqs {queue}"))
    });
    tmux.keys(&["Escape"]);
    tmux.wait_text("back on the topic", STEP_WITHIN, |s| {
        s.contains("subscriptions (1)") && !s.contains("filter-policy workbench")
    });
    tmux.keys(&["q"]);
    tmux.wait_text("eddy to exit", STEP_WITHIN, |s| s.contains("EDDY_EXITED="));
    let screen = tmux.screen();
    assert!(screen.contains("EDDY_EXITED=0"), "{}", frame(&screen));
    assert!(screen.contains("TTY=sane"), "{}", frame(&screen));
}

/// `eddy --local --demo`: `:topics` lists the demo's blog-posts topic,
/// Enter shows its subscriptions, and `:dlqs` names the subscription that
/// feeds blog-posts-dlq, which the flaky webhook fills.
#[test]
fn the_demo_topic_and_its_filling_subscription_dlq() {
    let tmux = Tmux::start("eddy-demo-topics", eddy_command);
    tmux.wait_text("the queue list", START_WITHIN, |s| {
        s.contains("rewards") && s.contains("warehouse")
    });
    tmux.type_text(":sns");
    tmux.keys(&["Enter"]);
    tmux.wait_text("the demo topic", STEP_WITHIN, |s| {
        s.contains("topics (") && s.contains("blog-posts")
    });
    tmux.type_text("/blog-posts");
    tmux.keys(&["Enter"]);
    tmux.wait_text("the filtered topic list", STEP_WITHIN, |s| {
        s.contains("topics (1)")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_text("its subscriptions", STEP_WITHIN, |s| {
        s.contains("topic blog-posts")
            && s.contains("subscriptions (")
            && s.contains("email-notifications")
            && s.contains("lambda")
    });
    tmux.type_text(":dlqs");
    tmux.keys(&["Enter"]);
    tmux.wait_text(
        "blog-posts-dlq fed by its subscription, filling",
        DLQ_FILLS_WITHIN,
        |s| {
            s.lines().any(|l| {
                l.contains("blog-posts-dlq")
                    && l.contains("topic blog-posts")
                    && numbers(l).first().is_some_and(|n| *n > 0)
            })
        },
    );
    tmux.keys(&["q"]);
    tmux.wait_text("eddy to exit", STEP_WITHIN, |s| s.contains("EDDY_EXITED="));
    let screen = tmux.screen();
    assert!(screen.contains("EDDY_EXITED=0"), "{}", frame(&screen));
}
