//! The pattern workbench (being written).
