//! Results as JS values.
//!
//! The int64 rule: an integer is a `number` when it is exactly representable (|v| ≤
//! 2^53 − 1) and a `bigint` otherwise, so no value is ever rounded or wrapped silently;
//! with the `bigint` option of the object it comes from, every integer is a `bigint`.
//! Floating-point values (percentages, milliseconds) are always `number`s.

use napi::bindgen_prelude::{Array, BigInt, Function, JsObjectValue, Null, Object, ToNapiValue};
use napi::{Env, Unknown};
use serde_json::Value;

use profile_ops::report::flame::{FlameGraph, Frame};
use profile_ops::report::top::Top;

/// The largest integer a JS `number` holds exactly.
const MAX_SAFE: u64 = (1 << 53) - 1;

/// How integers become JS values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ints {
    /// Every integer as a `bigint`.
    pub big: bool,
}

impl Ints {
    /// `v` as a `number` or a `bigint`.
    pub(crate) fn i64<'e>(self, env: &'e Env, v: i64) -> napi::Result<Unknown<'e>> {
        if !self.big && v.unsigned_abs() <= MAX_SAFE {
            (v as f64).into_unknown(env)
        } else {
            BigInt::from(v).into_unknown(env)
        }
    }

    /// `v` as a `number` or a `bigint`.
    pub(crate) fn u64<'e>(self, env: &'e Env, v: u64) -> napi::Result<Unknown<'e>> {
        if !self.big && v <= MAX_SAFE {
            (v as f64).into_unknown(env)
        } else {
            BigInt::from(v).into_unknown(env)
        }
    }

    /// A list of integers as an array.
    pub(crate) fn list<'e>(self, env: &'e Env, vs: &[i64]) -> napi::Result<Unknown<'e>> {
        let mut a = env.create_array(len32(vs.len())?)?;
        for (i, &v) in vs.iter().enumerate() {
            a.set(i as u32, self.i64(env, v)?)?;
        }
        a.into_unknown(env)
    }

    /// A JSON value (the Rust API's serde form, field names as its JSON output has them)
    /// as a JS value.
    pub(crate) fn json<'e>(self, env: &'e Env, v: &Value) -> napi::Result<Unknown<'e>> {
        match v {
            Value::Null => Null.into_unknown(env),
            Value::Bool(b) => b.into_unknown(env),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    self.i64(env, i)
                } else if let Some(u) = n.as_u64() {
                    self.u64(env, u)
                } else {
                    n.as_f64().unwrap_or(f64::NAN).into_unknown(env)
                }
            }
            Value::String(s) => s.as_str().into_unknown(env),
            Value::Array(items) => {
                let mut a = env.create_array(len32(items.len())?)?;
                for (i, item) in items.iter().enumerate() {
                    a.set(i as u32, self.json(env, item)?)?;
                }
                a.into_unknown(env)
            }
            Value::Object(m) => {
                let mut o = Object::new(env)?;
                for (k, item) in m {
                    o.set_named_property(k, self.json(env, item)?)?;
                }
                o.into_unknown(env)
            }
        }
    }

    /// Any serde-serialisable result, through its JSON form.
    pub(crate) fn serde<'e>(
        self,
        env: &'e Env,
        v: &impl serde::Serialize,
    ) -> napi::Result<Unknown<'e>> {
        let v = serde_json::to_value(v).map_err(|e| napi::Error::from_reason(e.to_string()))?;
        self.json(env, &v)
    }

    /// The top report as a plain object: `total`, `unit`, `labels` (the header lines `go
    /// tool pprof -top` prints), `rows` (the fields of `gprofops top --json`) and `text`
    /// (the report as `go tool pprof -top` prints it).
    pub(crate) fn top<'e>(self, env: &'e Env, t: &Top) -> napi::Result<Unknown<'e>> {
        let mut rows = env.create_array(crate::value::len32(t.rows.len())?)?;
        for (i, r) in t.rows.iter().enumerate() {
            let mut o = Object::new(env)?;
            o.set_named_property("name", r.name.as_str())?;
            o.set_named_property("node", r.node.as_str())?;
            o.set_named_property("flat", self.i64(env, r.flat)?)?;
            o.set_named_property("flat_pct", r.flat_pct)?;
            o.set_named_property("sum_pct", r.sum_pct)?;
            o.set_named_property("cum", self.i64(env, r.cum)?)?;
            o.set_named_property("cum_pct", r.cum_pct)?;
            o.set_named_property("inline", r.inline)?;
            o.set_named_property("partial_inline", r.partial_inline)?;
            rows.set(i as u32, o)?;
        }
        let mut o = Object::new(env)?;
        o.set_named_property("total", self.i64(env, t.total)?)?;
        o.set_named_property("unit", t.unit.as_str())?;
        o.set_named_property("labels", t.labels.clone())?;
        o.set_named_property("rows", rows)?;
        o.set_named_property("text", t.to_text())?;
        o.into_unknown(env)
    }

    /// A flame graph as nested `{name, value, delta?, children}` objects.
    ///
    /// Built without recursion: a flame graph is as deep as the deepest stack, and stacks
    /// of tens of thousands of frames exist. The property keys are made once, not per
    /// frame (making them was half the time of this conversion).
    pub(crate) fn flame<'e>(self, env: &'e Env, g: &FlameGraph) -> napi::Result<Unknown<'e>> {
        if !self.big && fits_numbers(g) {
            return parse_json(env, g.to_json());
        }
        let keys = [
            env.create_string("name")?,
            env.create_string("value")?,
            env.create_string("delta")?,
            env.create_string("children")?,
        ];
        let open = |f: Frame<'_>| -> napi::Result<(Object<'e>, Array<'e>)> {
            let mut o = Object::new(env)?;
            o.set_property(keys[0], env.create_string(f.name())?)?;
            o.set_property(keys[1], self.i64(env, f.value())?)?;
            if let Some(d) = f.delta() {
                o.set_property(keys[2], self.i64(env, d)?)?;
            }
            let children = env.create_array(len32(f.children().len())?)?;
            o.set_property(keys[3], children)?;
            Ok((o, children))
        };
        // Each entry: the frame's children still to add, its `children` array, the next
        // index in it.
        let root = g.root();
        let (top, c) = open(root)?;
        let mut path = vec![(root.children(), c, 0u32)];
        while let Some((frames, children, next)) = path.last_mut() {
            if let Some(child) = frames.next() {
                let (co, cc) = open(child)?;
                children.set(*next, co)?;
                *next += 1;
                path.push((child.children(), cc, 0));
            } else {
                path.pop();
            }
        }
        top.into_unknown(env)
    }
}

/// Whether every value of the flame graph is exactly a JS number, and the graph shallow
/// enough that no JS code walking it recursively is surprised.
fn fits_numbers(g: &FlameGraph) -> bool {
    const MAX_DEPTH: usize = 1024;
    let mut todo = vec![(g.root(), 0)];
    while let Some((f, depth)) = todo.pop() {
        let safe = |v: i64| v.unsigned_abs() <= MAX_SAFE;
        if depth > MAX_DEPTH || !safe(f.value()) || !f.delta().is_none_or(safe) {
            return false;
        }
        todo.extend(f.children().map(|c| (c, depth + 1)));
    }
    true
}

/// JSON `text` through V8's `JSON.parse`, which builds large object trees faster than
/// property-by-property calls (the flame graph of a 12,000-sample profile: about 20,000
/// objects). Only for values whose integers are all exact JS numbers.
fn parse_json(env: &Env, text: String) -> napi::Result<Unknown<'_>> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'_, String, Unknown<'_>> = json.get_named_property("parse")?;
    parse.apply(json, text)
}

/// A length as a JS array length.
pub(crate) fn len32(n: usize) -> napi::Result<u32> {
    u32::try_from(n)
        .map_err(|_| napi::Error::from_reason(format!("{n} items do not fit a JS array")))
}
