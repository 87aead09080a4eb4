//! Whatever the trace reader lets through goes through every trace analysis: goroutine,
//! task and region summary, trace → pprof of every kind, pauses, metrics, mutator
//! utilisation and MMU, the slow report and both exports. No panic (overflow included),
//! hang or runaway allocation on any event stream, complete or cut short.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_ops::trace::{
    MmuCurve, PprofKind, Threshold, UtilFlags, analyze, metrics, mutator_utilization, pauses, slow,
    trace_pprof, write_perfetto, write_timeline,
};

fuzz_target!(|data: &[u8]| {
    let _ = analyze(data, "fuzz");
    for kind in PprofKind::ALL {
        if let Ok(p) = trace_pprof(data, kind) {
            let _ = p.encode();
        }
    }
    let _ = pauses(data);
    let _ = metrics(data);
    for per_proc in [false, true] {
        let flags = UtilFlags {
            sweep: true,
            per_proc,
            ..UtilFlags::default()
        };
        let (util, _) = mutator_utilization(data, flags);
        let curve = MmuCurve::new(util);
        for w in [1, 1_000, 1_000_000, i64::MAX] {
            let _ = curve.mmu(w);
        }
    }
    let _ = slow(data, Threshold::default());
    let _ = slow(data, Threshold::Over(0));
    let _ = write_perfetto(data, std::io::sink());
    let _ = write_timeline(data, std::io::sink());
});
