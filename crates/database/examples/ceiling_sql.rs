//! Prints the SQL a query sends, with its parameters written in, for pgbench to run as the
//! ceiling in the benchmarks (`scripts/bench-api`): `ceiling_sql trending [limit]`, or
//! `ceiling_sql search <table>`: the search statement for the query in row `:n` of `<table>`
//! (columns `n`, `q`), at limit 10.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use theset_database::models::Show;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("trending") => {
            let limit: i64 = args.get(1).and_then(|l| l.parse().ok()).unwrap_or(20);
            let sql =
                diesel::debug_query::<diesel::pg::Pg, _>(&Show::trending_query(limit)).to_string();
            // No parameters: the statement is the one the API prepares, byte for byte.
            let sql = sql.split(" -- binds:").next().unwrap_or_default();
            println!("{sql};");
            ExitCode::SUCCESS
        }
        Some("search") => {
            let Some(table) = args.get(1) else {
                eprintln!("usage: ceiling_sql search <table>");
                return ExitCode::FAILURE;
            };
            println!(
                "WITH p AS (SELECT q, 10 AS lim FROM {table} WHERE n = :n) {};",
                theset_database::search::SEARCH_BODY
            );
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: ceiling_sql trending [limit] | search <table>");
            ExitCode::FAILURE
        }
    }
}
