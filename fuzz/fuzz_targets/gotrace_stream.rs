//! The checks both trace fuzz targets run on the ordered stream: no panic, no hang,
//! strictly increasing timestamps, Sync events numbered 1, 2, 3…, every accessor and the
//! canonical line computable, the columnar form agreeing with the stream, and
//! `Reader::from_reader` (streaming) and `Reader::visit` giving exactly what iterating
//! `Reader::new` gives.

use gotrace_parse::{EventKind, Reader, load_columns, text};

/// Reads `data` every way the crate offers and checks that the answers agree.
pub fn check(data: &[u8]) {
    let Ok(reader) = Reader::new(data) else {
        return;
    };
    let mut last = None;
    let mut syncs = 0;
    let mut n = 0usize;
    let mut failed = false;
    for ev in reader {
        let Ok(ev) = ev else {
            failed = true;
            break;
        };
        n += 1;
        if let Some(t) = last {
            // Go fixes up non-increasing times to last+1, wrapping at i64::MAX.
            assert!(ev.time() > t || t == i64::MAX, "time went backwards");
        }
        last = Some(ev.time());
        if ev.kind() == EventKind::Sync {
            syncs += 1;
            assert_eq!(ev.sync_info().map(|s| s.n), Some(syncs));
        }
        let _ = (
            ev.metric(),
            ev.label(),
            ev.range(),
            ev.range_attributes(),
            ev.task(),
            ev.region(),
            ev.log(),
        );
        let _ = (
            ev.state_transition()
                .map(|s| s.stack.map(|s| s.frames().count())),
            ev.experimental(),
        );
        let _ = text::line(&ev);
    }
    // The streaming reader (one generation in memory) must agree event for event.
    let streamed: Vec<Result<String, String>> =
        match Reader::from_reader(std::io::Cursor::new(data.to_vec())) {
            Ok(r) => r
                .map(|e| e.map(|e| text::line(&e)).map_err(|e| e.reason()))
                .collect(),
            Err(e) => vec![Err(e.reason())],
        };
    let direct: Vec<Result<String, String>> = match Reader::new(data) {
        Ok(r) => r
            .map(|e| e.map(|e| text::line(&e)).map_err(|e| e.reason()))
            .collect(),
        Err(e) => vec![Err(e.reason())],
    };
    assert_eq!(streamed, direct, "stream and slice readers disagree");
    // Lending the events (`visit`) must give what handing them over gives.
    let mut visited: Vec<Result<String, String>> = Vec::new();
    match Reader::new(data) {
        Ok(mut r) => {
            if let Err(e) = r.visit(|e| visited.push(Ok(text::line(e)))) {
                visited.push(Err(e.reason()));
            }
        }
        Err(e) => visited.push(Err(e.reason())),
    }
    assert_eq!(visited, direct, "visit and iteration disagree");
    match load_columns(data) {
        Ok(cols) => {
            assert!(!failed);
            assert_eq!(cols.len(), n);
        }
        Err(_) => assert!(failed),
    }
}
