//! A second connection to an open project for reads on another thread (the phone server's):
//! it reads what is committed, never waits for the writer, never writes, and works on an
//! encrypted project as on a plain one.

mod common;

use std::path::Path;

use common::*;
use mams::store::{Project, keys};

fn count(p: &Project, sql: &str) -> i64 {
    p.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn reads_beside_the_writer(path: &Path) {
    let writer = Project::open(path).unwrap();
    let reader = writer.reader().unwrap();
    assert!(reader.is_read_only());
    let customers = count(&writer, "SELECT count(*) FROM customers");
    assert_eq!(customers, 900);

    // The writer's open transaction: the reader, on another thread, neither waits for it nor
    // sees its rows; once committed, it does.
    writer
        .conn()
        .execute_batch("BEGIN TRANSACTION; DELETE FROM customers WHERE customer_id IN (SELECT customer_id FROM customers LIMIT 100);")
        .unwrap();
    let (reader, seen) = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let n = reader
            .read_only_run(|p| Ok(count(p, "SELECT count(*) FROM customers")))
            .unwrap();
        (reader, (n, started.elapsed()))
    })
    .join()
    .unwrap();
    assert_eq!(seen.0, 900, "uncommitted rows are not seen");
    assert!(seen.1 < std::time::Duration::from_secs(5), "{:?}", seen.1);
    writer.conn().execute_batch("COMMIT").unwrap();
    let n = reader
        .read_only_run(|p| Ok(count(p, "SELECT count(*) FROM customers")))
        .unwrap();
    assert_eq!(n, 800);

    // Its reads cannot write, and the project's functions are there (masking, the time
    // limits).
    let write = reader.read_only_run(|p| Ok(p.conn().execute_batch("DELETE FROM customers")?));
    assert!(write.is_err());
    let masked: String = reader
        .conn()
        .query_row("SELECT mams_mask('13812348000', 'phone')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(masked, "138****8000");
    assert!(count(&reader, "SELECT connection_limit('residential', '220V', false)") > 0);

    // It outlives the project it came from.
    drop(writer);
    assert_eq!(count(&reader, "SELECT count(*) FROM customers"), 800);
}

#[test]
fn a_reader_reads_beside_the_writer_on_a_plain_project() {
    reads_beside_the_writer(&small_project("reader-plain"));
}

#[test]
fn a_reader_reads_beside_the_writer_on_an_encrypted_project() {
    let path = small_project("reader-encrypted");
    let key = keys::derive("correct horse battery staple");
    Project::reseal(&path, Some(key)).unwrap();
    reads_beside_the_writer(&path);
}
