//! The README's table of backend differences is the scenario suite's own
//! table (`tests/common/mod.rs`, `DIFFERENCES`), row for row.

mod common;

#[test]
fn readme_lists_exactly_the_differences_the_suite_asserts() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find("| backend | behaviour | what it does |")
        .expect("the differences table in the README");
    let rows: Vec<(String, String)> = readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_string(), cells[2].trim_matches('`').to_string())
        })
        .collect();
    let expected: Vec<(String, String)> = common::DIFFERENCES
        .iter()
        .map(|(b, k, _)| (b.to_string(), k.to_string()))
        .collect();
    assert_eq!(
        rows, expected,
        "README differences table vs tests/common DIFFERENCES"
    );
}
