//! Operator-action benchmarks (being written).

fn main() {}
