//! `eddy functions` and `eddy consumers QUEUE` with the real binary: against
//! moto (a function, an event source mapping and an event invoke config
//! created through its Lambda API, a role through its IAM API), with a
//! declared consumer from the config file; and against a backend without a
//! Lambda API — eddy's embedded backend behind a small proxy of this test
//! that answers every Lambda path with `UnknownOperationException` (a fact
//! this test controls) — where the answer says so and the rest is shown.

mod common;
mod lambda_support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;

use common::{Target, eddy, moto_endpoint, output, runtime, temp_dir, text, unique};
use lambda_support::{lambda_sdk, moto_role, zip_one};

/// `eddy ARGS --endpoint-url URL`, with the config folder `config_home`.
fn run(url: &str, config_home: &Path, args: &[&str]) -> Output {
    output(
        eddy()
            .env("XDG_CONFIG_HOME", config_home)
            .args(args)
            .args(["--endpoint-url", url]),
    )
}

fn json(o: &Output) -> serde_json::Value {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

/// A config folder whose `eddy/config.toml` is `toml`.
fn config_home(toml: &str) -> std::path::PathBuf {
    let dir = temp_dir("consumers-config");
    std::fs::create_dir_all(dir.join("eddy")).expect("config folder");
    std::fs::write(dir.join("eddy").join("config.toml"), toml).expect("config file");
    dir
}

#[test]
fn functions_and_consumers_on_moto() {
    let endpoint = moto_endpoint();
    let rt = runtime();
    let name = unique("worker");
    let queue = unique("orders");
    let role = moto_role(&endpoint, &unique("lambda-role"));
    let (queue_arn, function_arn) = rt.block_on(async {
        let c = Target::Moto.clients().await;
        let dlq = c
            .create_queue(&format!("{queue}-dlq"), &BTreeMap::new())
            .await
            .expect("create the DLQ");
        let dlq_arn = c.get_queue(&dlq).await.expect("the DLQ").arn;
        let attrs: BTreeMap<String, String> = [
            ("VisibilityTimeout".to_string(), "30".to_string()),
            (
                "RedrivePolicy".to_string(),
                format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"3"}}"#),
            ),
        ]
        .into_iter()
        .collect();
        let url = c
            .create_queue(&queue, &attrs)
            .await
            .expect("create the queue");
        let queue_arn = c.get_queue(&url).await.expect("the queue").arn;
        let lambda = lambda_sdk(&endpoint).await;
        let f = lambda
            .create_function()
            .function_name(&name)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(&role)
            .handler("handler.handle")
            .timeout(30)
            .memory_size(256)
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_smithy_types::Blob::new(zip_one(
                        "handler.py",
                        b"def handle(event, context):\n    return None\n",
                    )))
                    .build(),
            )
            .send()
            .await
            .expect("moto creates the function");
        lambda
            .create_event_source_mapping()
            .event_source_arn(&queue_arn)
            .function_name(&name)
            .batch_size(5)
            .function_response_types(
                aws_sdk_lambda::types::FunctionResponseType::ReportBatchItemFailures,
            )
            .scaling_config(
                aws_sdk_lambda::types::ScalingConfig::builder()
                    .maximum_concurrency(3)
                    .build(),
            )
            .send()
            .await
            .expect("moto creates the mapping");
        lambda
            .put_function_event_invoke_config()
            .function_name(&name)
            .maximum_retry_attempts(1)
            .destination_config(
                aws_sdk_lambda::types::DestinationConfig::builder()
                    .on_failure(
                        aws_sdk_lambda::types::OnFailure::builder()
                            .destination(&dlq_arn)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("moto stores the invoke config");
        (queue_arn, f.function_arn().unwrap_or_default().to_string())
    });
    let home = config_home(&format!(
        "[consumers.{queue}]\nname = \"orders-container\"\nlog_groups = [\"/ecs/orders\"]\ntimeout_s = 20\n"
    ));

    // eddy functions -o json: the function, its log group and its trigger.
    let all = json(&run(&endpoint, &home, &["functions", "-o", "json"]));
    assert_eq!(all["lambda"]["status"], "available");
    let f = all["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .find(|f| f["name"] == name.as_str())
        .unwrap_or_else(|| panic!("{name} is listed: {all}"));
    assert_eq!(f["arn"], function_arn.as_str());
    assert_eq!(f["runtime"], "python3.12");
    assert_eq!(f["timeout_s"], 30);
    assert_eq!(f["memory_mb"], 256);
    assert_eq!(f["log_group"], format!("/aws/lambda/{name}"));
    assert_eq!(f["triggers"][0]["kind"], "queue");
    assert_eq!(f["triggers"][0]["queue"], queue.as_str());

    // The table.
    let o = run(&endpoint, &home, &["functions"]);
    let table = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(table.starts_with("NAME"), "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with(&name))
        .expect("its row");
    assert!(
        row.contains("python3.12") && row.contains("256 MB") && row.contains("30 s"),
        "{row}"
    );
    assert!(row.contains(&format!("queue {queue}")), "{row}");

    // One function in full: the asynchronous settings.
    let one = json(&run(&endpoint, &home, &["functions", &name, "-o", "json"]));
    assert_eq!(one["async_config"]["max_retries"], 1);
    assert!(
        one["async_config"]["on_failure"]
            .as_str()
            .is_some_and(|d| d.ends_with(&format!("{queue}-dlq"))),
        "{one}"
    );
    assert_eq!(one["mappings"][0]["source_arn"], queue_arn.as_str());

    // eddy consumers QUEUE -o json: the mapping, the function, the declared
    // consumer and both warnings (30 s < 6 × 30 s; maxReceiveCount 3 < 5).
    let c = json(&run(&endpoint, &home, &["consumers", &queue, "-o", "json"]));
    assert_eq!(c["lambda"]["status"], "available");
    let m = &c["mappings"][0];
    assert_eq!(m["mapping"]["batch_size"], 5);
    assert_eq!(m["mapping"]["report_batch_item_failures"], true);
    assert_eq!(m["mapping"]["max_concurrency"], 3);
    assert_eq!(m["mapping"]["state"], "Enabled");
    assert_eq!(m["function"]["timeout_s"], 30);
    assert_eq!(m["function"]["log_group"], format!("/aws/lambda/{name}"));
    assert_eq!(c["declared"][0]["name"], "orders-container");
    assert_eq!(c["declared"][0]["log_groups"][0], "/ecs/orders");
    let kinds: Vec<&str> = c["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["visibility_timeout", "max_receive_count"]);

    // The table: one row per consumer, the warnings after it.
    let o = run(&endpoint, &home, &["consumers", &queue]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        out.starts_with(&format!(
            "queue {queue} (visibility timeout 30 s, DLQ {queue}-dlq after 3 receives)"
        )),
        "{out}"
    );
    let row = out
        .lines()
        .find(|l| l.starts_with(&name))
        .expect("the mapping's row");
    assert!(
        row.contains("lambda") && row.contains("Enabled") && row.contains("yes"),
        "{row}"
    );
    assert!(row.contains(&format!("/aws/lambda/{name}")), "{row}");
    assert!(
        out.lines().any(|l| l.starts_with("orders-container")
            && l.contains("declared")
            && l.contains("/ecs/orders")),
        "{out}"
    );
    assert!(out.contains("under 6 × the 30 s timeout"), "{out}");
    assert!(
        out.contains("set VisibilityTimeout to at least 180"),
        "{out}"
    );
    assert!(
        out.contains("after 3 receives, under the 5 AWS recommends"),
        "{out}"
    );
}

/// Forwards every request to `upstream` except Lambda's paths, which get
/// 404 `UnknownOperationException` (as a backend started without Lambda
/// answers). One request per connection (`Connection: close`).
fn no_lambda_proxy(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let upstream = upstream.clone();
            std::thread::spawn(move || proxy_one(conn, &upstream));
        }
    });
    url
}

fn proxy_one(mut conn: TcpStream, upstream: &str) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let Ok(n) = conn.read(&mut chunk) else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let Ok(n) = conn.read(&mut chunk) else { return };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    if path.starts_with("/2015-03-31/") || path.starts_with("/2019-09-25/") {
        let body = r#"{"__type":"UnknownOperationException","message":"no Lambda here"}"#;
        let _ = write!(
            conn,
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nx-amzn-errortype: UnknownOperationException\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    // Forward with `Connection: close`, then copy the answer back.
    let addr = upstream.trim_start_matches("http://");
    let Ok(mut up) = TcpStream::connect(addr) else {
        return;
    };
    let mut lines: Vec<&str> = head.trim_end().split("\r\n").collect();
    lines.retain(|l| !l.to_ascii_lowercase().starts_with("connection:"));
    let new_head = format!("{}\r\nConnection: close\r\n\r\n", lines.join("\r\n"));
    if up.write_all(new_head.as_bytes()).is_err() || up.write_all(&buf[head_end..]).is_err() {
        return;
    }
    let mut answer = Vec::new();
    let _ = up.read_to_end(&mut answer);
    let _ = conn.write_all(&answer);
}

#[test]
fn a_backend_without_lambda_says_so_and_shows_the_rest() {
    let proxy = no_lambda_proxy(common::eddy_endpoint());
    let rt = runtime();
    let queue = unique("no-lambda");
    rt.block_on(async {
        let c = Target::Eddy.clients().await;
        let attrs: BTreeMap<String, String> = [("VisibilityTimeout".to_string(), "45".to_string())]
            .into_iter()
            .collect();
        c.create_queue(&queue, &attrs)
            .await
            .expect("create the queue");
    });
    let home = config_home(&format!("[consumers]\n{queue} = [\"/ecs/worker\"]\n"));

    let c = json(&run(&proxy, &home, &["consumers", &queue, "-o", "json"]));
    assert_eq!(c["lambda"]["status"], "no_api");
    assert!(
        c["lambda"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("this backend has no Lambda API")),
        "{c}"
    );
    assert_eq!(c["queue"]["name"], queue.as_str());
    assert_eq!(c["queue"]["visibility_timeout_s"], 45);
    assert_eq!(c["mappings"], serde_json::json!([]));
    assert_eq!(c["declared"][0]["log_groups"][0], "/ecs/worker");

    let o = run(&proxy, &home, &["consumers", &queue]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        out.contains("lambda: this backend has no Lambda API"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("declared") && l.contains("/ecs/worker")),
        "{out}"
    );

    let f = json(&run(&proxy, &home, &["functions", "-o", "json"]));
    assert_eq!(f["lambda"]["status"], "no_api");
    assert_eq!(f["functions"], serde_json::json!([]));
    let o = run(&proxy, &home, &["functions"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("this backend has no Lambda API"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_bad_consumers_table_is_reported_with_its_position() {
    let home = config_home("[consumers]\norders = \"/ecs/x\"\n");
    let o = run("http://127.0.0.1:9", &home, &["consumers", "orders"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("config.toml:2:10: consumers of orders"),
        "{err}"
    );
    // The TUI's validating reader accepts the table and checks it the same way.
    assert!(
        eddy::tui::config::Config::from_toml(
            Some(("c.toml", "[consumers]\norders = [\"/ecs/x\"]\n")),
            false
        )
        .is_ok()
    );
    let e =
        eddy::tui::config::Config::from_toml(Some(("c.toml", "[consumers]\norders = 3\n")), false)
            .expect_err("refused")
            .to_string();
    assert!(e.starts_with("c.toml:2:10: consumers of orders"), "{e}");
}
