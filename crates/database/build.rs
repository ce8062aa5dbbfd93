//! Rebuilds the crate when a migration or a replaceable schema file is added or edited
//! (`embed_migrations!` does not notice new folders by itself) and exports a fingerprint of both
//! and of `src/replaceable.rs` (which applies them), naming the migrated template database the
//! tests clone.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::{env, fs};

fn main() {
    let crate_dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).to_owned();
    let mut hasher = DefaultHasher::new();
    for dir in [
        crate_dir.join("../../migrations"),
        crate_dir.join("replaceable"),
    ] {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        collect(&dir, &mut files);
        files.sort();
        // How the schema is applied (grants, the state table) is part of what a template holds.
        if dir.ends_with("replaceable") {
            files.push(crate_dir.join("src/replaceable.rs"));
        }
        for file in &files {
            println!("cargo:rerun-if-changed={}", file.display());
            file.strip_prefix(&crate_dir)
                .unwrap_or(file)
                .hash(&mut hasher);
            fs::read(file).unwrap_or_default().hash(&mut hasher);
        }
    }
    println!(
        "cargo:rustc-env=THESET_MIGRATIONS_FINGERPRINT={:016x}",
        hasher.finish()
    );
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
