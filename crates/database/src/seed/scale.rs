//! The synthetic benchmark dataset (`seed --scale N`).
