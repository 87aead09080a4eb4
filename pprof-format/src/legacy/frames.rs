//! `drop_frames` / `keep_frames` of converted legacy profiles: the allocator, lock and
//! profiler-signal frames that google/pprof's `addLegacyFrameInfo` hides, chosen by the
//! kind of profile (recognised from its sample types).

/// Allocation entry points (POSIX, tcmalloc, OS X zones, the Go runtime, C++ operators).
const ALLOC: &[&str] = &[
    "calloc",
    "cfree",
    "malloc",
    "free",
    "memalign",
    "do_memalign",
    "(__)?posix_memalign",
    "pvalloc",
    "valloc",
    "realloc",
    "tcmalloc::.*",
    "tc_calloc",
    "tc_cfree",
    "tc_malloc",
    "tc_free",
    "tc_memalign",
    "tc_posix_memalign",
    "tc_pvalloc",
    "tc_valloc",
    "tc_realloc",
    "tc_new",
    "tc_delete",
    "tc_newarray",
    "tc_deletearray",
    "tc_new_nothrow",
    "tc_newarray_nothrow",
    "malloc_zone_malloc",
    "malloc_zone_calloc",
    "malloc_zone_valloc",
    "malloc_zone_realloc",
    "malloc_zone_memalign",
    "malloc_zone_free",
    r"runtime\..*",
    "BaseArena::.*",
    "(::)?do_malloc_no_errno",
    "(::)?do_malloc_pages",
    "(::)?do_malloc",
    "DoSampledAllocation",
    "MallocedMemBlock::MallocedMemBlock",
    "_M_allocate",
    "__builtin_(vec_)?delete",
    "__builtin_(vec_)?new",
    "__gnu_cxx::new_allocator::allocate",
    "__libc_malloc",
    "__malloc_alloc_template::allocate",
    "allocate",
    "cpp_alloc",
    r"operator new(\[\])?",
    "simple_alloc::allocate",
];

/// Go runtime frames kept even though `runtime\..*` is dropped.
const ALLOC_SKIP: &[&str] = &[
    r"runtime\.panic",
    r"runtime\.reflectcall",
    r"runtime\.call[0-9]*",
];

/// Frames pushed by the CPU profiler's signal handler.
const CPU_PROFILER: &[&str] = &[
    "ProfileData::Add",
    "ProfileData::prof_handler",
    "CpuProfiler::prof_handler",
    "__pthread_sighandler",
    "__restore",
];

/// Lock profiling and unlock paths.
const LOCK: &[&str] = &[
    "RecordLockProfileData",
    "(base::)?RecordLockProfileData.*",
    "(base::)?SubmitMutexProfileData.*",
    "(base::)?SubmitSpinLockProfileData.*",
    "(base::Mutex::)?AwaitCommon.*",
    "(base::Mutex::)?Unlock.*",
    "(base::Mutex::)?UnlockSlow.*",
    "(base::Mutex::)?ReaderUnlock.*",
    "(base::MutexLock::)?~MutexLock.*",
    "(Mutex::)?AwaitCommon.*",
    "(Mutex::)?Unlock.*",
    "(Mutex::)?UnlockSlow.*",
    "(Mutex::)?ReaderUnlock.*",
    "(MutexLock::)?~MutexLock.*",
    "(SpinLock::)?Unlock.*",
    "(SpinLock::)?SlowUnlock.*",
    "(SpinLockHolder::)?~SpinLockHolder.*",
];

const HEAP_TYPES: &[&[&str]] = &[
    &["allocations", "size"],
    &["objects", "space"],
    &["inuse_objects", "inuse_space"],
    &["alloc_objects", "alloc_space"],
    &[
        "alloc_objects",
        "alloc_space",
        "inuse_objects",
        "inuse_space",
    ],
];

/// `(drop_frames, keep_frames)` for a legacy profile with these sample types.
pub(crate) fn for_sample_types(types: &[(String, String)]) -> (String, String) {
    let is = |t: &[&str]| t.len() == types.len() && t.iter().zip(types).all(|(a, (b, _))| a == b);
    if HEAP_TYPES.iter().any(|t| is(t)) {
        (ALLOC.join("|"), ALLOC_SKIP.join("|"))
    } else if is(&["contentions", "delay"]) {
        (LOCK.join("|"), String::new())
    } else {
        (CPU_PROFILER.join("|"), String::new())
    }
}
