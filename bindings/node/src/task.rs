//! Work on the libuv thread pool: a closure computes a Rust result off the JS thread, and
//! [`Output::to_js`] turns it into JS values on the JS thread. The synchronous methods run
//! the same closures in place, so both variants share one code path.

use napi::ScopedTask;
use napi::bindgen_prelude::{AsyncTask, ToNapiValue};
use napi::{Env, Unknown};
use serde_json::Value;

use profile_ops::report::flame::FlameGraph;
use profile_ops::report::top::Top;

use crate::errors::{Fallible, OrThrow};
use crate::value::Ints;

/// What a piece of work produces, before it becomes JS values.
pub enum Output {
    /// An instance of one of the addon's classes (`Profile`, `GcTrace`). The module that
    /// defines a class converts into it (`impl From<...> for Output`), so this module
    /// depends on none of them.
    Class(Box<dyn IntoClass>),
    /// The top report.
    Top(Top),
    /// A flame graph.
    Flame(FlameGraph),
    /// Folded stacks.
    Folded(Vec<(String, i64)>),
    /// Text (tree, traces).
    Text(String),
    /// A JSON-shaped result (summaries, speedscope).
    Json(Value),
}

impl Output {
    /// The JS value of the output.
    pub(crate) fn into_js(self, env: &Env, ints: Ints) -> napi::Result<Unknown<'_>> {
        match self {
            Output::Class(c) => c.into_class(env, ints),
            Output::Top(t) => ints.top(env, &t),
            Output::Flame(f) => ints.flame(env, &f),
            Output::Folded(lines) => {
                let mut a = env.create_array(crate::value::len32(lines.len())?)?;
                for (i, (stack, v)) in lines.into_iter().enumerate() {
                    let mut pair = env.create_array(2)?;
                    pair.set(0, stack)?;
                    pair.set(1, ints.i64(env, v)?)?;
                    a.set(i as u32, pair)?;
                }
                a.into_unknown(env)
            }
            Output::Text(s) => s.into_unknown(env),
            Output::Json(v) => ints.json(env, &v),
        }
    }
}

/// A Rust value that becomes an instance of one of the addon's JS classes.
pub trait IntoClass: Send {
    /// The JS object, made on the JS thread.
    fn into_class(self: Box<Self>, env: &Env, ints: Ints) -> napi::Result<Unknown<'_>>;
}

type Work = Box<dyn FnOnce() -> Fallible<Output> + Send>;

/// A unit of work run on the libuv thread pool.
pub struct Job {
    work: Option<Work>,
    ints: Ints,
}

/// Runs `work` now, on the JS thread.
pub(crate) fn run(
    env: &Env,
    ints: Ints,
    work: impl FnOnce() -> Fallible<Output>,
) -> napi::Result<Unknown<'_>> {
    work().or_throw(env)?.into_js(env, ints)
}

/// Runs `work` on the libuv thread pool; the promise resolves with its JS value.
pub(crate) fn spawn(
    ints: Ints,
    work: impl FnOnce() -> Fallible<Output> + Send + 'static,
) -> AsyncTask<Job> {
    AsyncTask::new(Job {
        work: Some(Box::new(work)),
        ints,
    })
}

impl<'task> ScopedTask<'task> for Job {
    type Output = Fallible<Output>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::from_reason("the task already ran"))?;
        Ok(work())
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> napi::Result<Unknown<'task>> {
        output.or_throw(env)?.into_js(env, self.ints)
    }
}
