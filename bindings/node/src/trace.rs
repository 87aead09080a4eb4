//! `Trace`: a Go execution trace, its summary and its ordered events.

use std::io::{BufReader, Cursor};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Unknown};
use napi_derive::napi;
use serde_json::Value;

use profile_ops::gotrace::{self, Reader};
use profile_ops::trace::{event_json, trace_info, trace_info_path};

use crate::errors::{Failure, Fallible, OrThrow, io_failure};
use crate::input::{BufferLike, bytes};
use crate::options::LoadOptions;
use crate::task::{Job, Output, run, spawn};
use crate::value::Ints;

/// Events handed to JS per batch at most: a batch never spans two generations, and this
/// bounds the JS memory a large generation takes.
const BATCH_EVENTS: usize = 16_384;

#[derive(Clone)]
enum Data {
    Path(String),
    Bytes(Bytes),
}

impl Data {
    fn reader(&self) -> Fallible<Reader<'static>> {
        Ok(match self {
            Data::Path(p) => {
                let f = std::fs::File::open(p).map_err(|e| io_failure(p.as_ref(), &e))?;
                Reader::from_reader(BufReader::with_capacity(1 << 16, f))?
            }
            Data::Bytes(b) => Reader::from_reader(Cursor::new(b.clone()))?,
        })
    }

    fn info(&self) -> Fallible<Output> {
        let info = match self {
            Data::Path(p) => trace_info_path(p.as_ref()).map_err(|e| io_failure(p.as_ref(), &e))?,
            Data::Bytes(b) => trace_info(b, ""),
        };
        Ok(Output::Json(json(&info)?))
    }
}

fn json(v: &impl serde::Serialize) -> Fallible<Value> {
    serde_json::to_value(v).map_err(|e| Failure::new("ParseError", e.to_string()))
}

/// A Go execution trace (`runtime/trace`, `go test -trace`, the flight recorder): Go
/// 1.22+ traces and v1 traces (Go 1.11–1.21, converted to the same events).
///
/// Opening checks the header only; events are decoded as they are read, one generation
/// in memory at a time for files.
///
/// ```js
/// const { Trace } = require('gprofops')
/// const t = Trace.load('app.trace')
/// console.log((await t.infoAsync()).events_total)
/// for await (const ev of t.events()) if (ev.kind === 'Log') console.log(ev)
/// ```
#[napi]
pub struct Trace {
    data: Data,
    ints: Ints,
}

impl Trace {
    fn open(env: &Env, data: Data, o: &LoadOptions) -> napi::Result<Trace> {
        data.reader().or_throw(env)?;
        Ok(Trace {
            data,
            ints: o.ints(),
        })
    }
}

#[napi]
impl Trace {
    /// Opens a trace file (streamed). Throws `TraceHeaderError` when it is not a Go
    /// execution trace, `UnsupportedVersionError` for a version that never wrote traces
    /// in a known format, `ENOENT`... when it cannot be read.
    #[napi(configurable = true, factory)]
    pub fn load(env: &Env, path: String, options: Option<LoadOptions>) -> napi::Result<Trace> {
        let o = options.unwrap_or_default();
        Trace::open(env, Data::Path(path), &o)
    }

    /// Opens a trace held in a `Buffer` or `Uint8Array` (borrowed unless `copy` is set).
    #[napi(configurable = true, factory)]
    pub fn from_buffer(
        env: &Env,
        data: BufferLike,
        options: Option<LoadOptions>,
    ) -> napi::Result<Trace> {
        let o = options.unwrap_or_default();
        Trace::open(env, Data::Bytes(bytes(data, o.copy())), &o)
    }

    /// The summary of `gprofops trace info --json` (events per kind, generations,
    /// goroutines, GC, stop-the-world, user annotations, state transitions). A trace
    /// that fails part-way still gets one: `valid` is false and `error` says why.
    #[napi(ts_return_type = "TraceInfo")]
    pub fn info<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || self.data.info())
    }

    /// [`Trace.info`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<TraceInfo>")]
    pub fn info_async(&self) -> AsyncTask<Job> {
        let data = self.data.clone();
        spawn(self.ints, move || data.info())
    }

    /// The ordered events in batches (see `events()`, the async iterator over them):
    /// each `next()` reads the next events of the current generation on the libuv
    /// thread pool.
    #[napi]
    pub fn event_batches(&self, env: &Env) -> napi::Result<EventBatches> {
        let r = self.data.reader().or_throw(env)?;
        Ok(EventBatches {
            state: Arc::new(Mutex::new(Stream {
                reader: Some(r),
                pending: None,
                error: None,
            })),
            ints: self.ints,
        })
    }
}

struct Stream {
    /// `None` once the trace is exhausted or failed.
    reader: Option<Reader<'static>>,
    /// The first event of the next batch (read to find the end of a generation).
    pending: Option<(u64, Value)>,
    /// The error to throw once the events before it have been handed out.
    error: Option<gotrace::Error>,
}

impl Stream {
    /// The next batch: events of one generation, at most [`BATCH_EVENTS`]; `null` at the
    /// end; the trace's error after the last good event.
    fn next_batch(&mut self) -> Fallible<Output> {
        let mut batch = Vec::new();
        let mut generation = None;
        if let Some((g, v)) = self.pending.take() {
            generation = Some(g);
            batch.push(v);
        }
        while batch.len() < BATCH_EVENTS {
            let Some(reader) = self.reader.as_mut() else {
                break;
            };
            match reader.next() {
                None => self.reader = None,
                Some(Err(e)) => {
                    self.reader = None;
                    self.error = Some(e);
                }
                Some(Ok(ev)) => {
                    let g = ev.generation();
                    let v = event_json(&ev);
                    if generation.is_some_and(|cur| cur != g) {
                        self.pending = Some((g, v));
                        break;
                    }
                    generation = Some(g);
                    batch.push(v);
                }
            }
        }
        if batch.is_empty() {
            return match self.error.take() {
                Some(e) => Err(e.into()),
                None => Ok(Output::Json(Value::Null)),
            };
        }
        Ok(Output::Json(Value::Array(batch)))
    }
}

/// A trace's ordered events, handed out in batches (see `Trace.events()`).
#[napi]
pub struct EventBatches {
    state: Arc<Mutex<Stream>>,
    ints: Ints,
}

fn next_of(state: &Mutex<Stream>) -> Fallible<Output> {
    state
        .lock()
        .map_err(|_| Failure::new("ParseError", "the event reader failed earlier"))?
        .next_batch()
}

#[napi]
impl EventBatches {
    /// The next events (one generation's, at most 16,384 at a time) as an array, or
    /// `null` after the last one; rejects with the trace's error where it stops being
    /// valid. Read on the libuv thread pool.
    #[napi(ts_return_type = "Promise<TraceEvent[] | null>")]
    pub fn next(&self) -> AsyncTask<Job> {
        let state = self.state.clone();
        spawn(self.ints, move || next_of(&state))
    }

    /// [`EventBatches.next`], on the JS thread.
    #[napi(ts_return_type = "TraceEvent[] | null")]
    pub fn next_sync<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || next_of(&self.state))
    }
}
