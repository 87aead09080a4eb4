//! Go's `postProcessTrace`: the merged stream must be consistent — a proc runs one
//! goroutine at a time, a goroutine is blocked before it is unblocked, GC and
//! stop-the-world phases nest, user regions close in order. Along the way, unblocks of
//! goroutines that waited on the network move to the netpoll proc, GC starts to the GC
//! proc, and stack IDs that name no (or an empty) stack are dropped.

use std::collections::HashMap;

use super::invalid;
use super::spec::{Ev, Status as State, desc, fake_p, is_block, t};
use crate::error::Error;
use crate::table::IdMap;

#[derive(Debug, Clone, Copy, Default)]
struct GDesc {
    state: State,
    /// Type of the last event that changed the goroutine's state, if kept.
    ev: Option<u8>,
    /// The creating event's new-stack ID, until the goroutine first starts.
    create_stack: Option<u64>,
    mark_assist: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct PDesc {
    running: bool,
    g: u64,
    sweeping: bool,
}

fn check_running(p: PDesc, g: GDesc, ev: &Ev, allow_g0: bool) -> Result<(), String> {
    let name = desc(ev.typ).name;
    if g.state != State::Running {
        return Err(format!(
            "g {} is not running while {name} (time {})",
            ev.g, ev.ts
        ));
    }
    if p.g != ev.g {
        return Err(format!(
            "p {} is not running g {} while {name} (time {})",
            ev.p, ev.g, ev.ts
        ));
    }
    if !allow_g0 && ev.g == 0 {
        return Err(format!("g 0 did {name} (time {})", ev.ts));
    }
    Ok(())
}

/// Checks `events` in order, fixing them up as Go does.
pub(crate) fn post_process(
    events: &mut [Ev],
    stacks: &IdMap<u32, (usize, usize)>,
) -> Result<(), Error> {
    let mut gs: IdMap<u64, GDesc> = IdMap::default();
    let mut ps: HashMap<i32, PDesc> = HashMap::new();
    // Task ID → index of its creating event; goroutine → stack of open region starts.
    let mut tasks: IdMap<u64, usize> = IdMap::default();
    let mut regions: IdMap<u64, Vec<usize>> = IdMap::default();
    gs.insert(
        0,
        GDesc {
            state: State::Running,
            ..GDesc::default()
        },
    );
    let (mut in_gc, mut in_stw) = (false, false);
    for idx in 0..events.len() {
        let ev = events[idx];
        let fail = |m: String| invalid(ev.off, m);
        let g = gs.get(&ev.g).copied().unwrap_or_default();
        let p = ps.get(&ev.p).copied().unwrap_or_default();
        match ev.typ {
            t::PROC_START => {
                if p.running {
                    return Err(fail(format!(
                        "p {} is running before start (time {})",
                        ev.p, ev.ts
                    )));
                }
                ps.insert(ev.p, PDesc { running: true, ..p });
            }
            t::PROC_STOP => {
                if !p.running {
                    return Err(fail(format!(
                        "p {} is not running before stop (time {})",
                        ev.p, ev.ts
                    )));
                }
                if p.g != 0 {
                    return Err(fail(format!(
                        "p {} is running a goroutine {} during stop (time {})",
                        ev.p, p.g, ev.ts
                    )));
                }
                ps.insert(
                    ev.p,
                    PDesc {
                        running: false,
                        ..p
                    },
                );
            }
            t::GC_START => {
                if in_gc {
                    return Err(fail(format!(
                        "previous GC is not ended before a new one (time {})",
                        ev.ts
                    )));
                }
                in_gc = true;
                // Attributed to the global GC state.
                events[idx].p = fake_p::GC;
            }
            t::GC_DONE => {
                if !in_gc {
                    return Err(fail(format!("bogus GC end (time {})", ev.ts)));
                }
                in_gc = false;
            }
            t::STW_START => {
                if in_stw {
                    return Err(fail(format!(
                        "previous STW is not ended before a new one (time {})",
                        ev.ts
                    )));
                }
                in_stw = true;
            }
            t::STW_DONE => {
                if !in_stw {
                    return Err(fail(format!("bogus STW end (time {})", ev.ts)));
                }
                in_stw = false;
            }
            t::GC_SWEEP_START => {
                if p.sweeping {
                    return Err(fail(format!(
                        "previous sweeping is not ended before a new one (time {})",
                        ev.ts
                    )));
                }
                ps.insert(
                    ev.p,
                    PDesc {
                        sweeping: true,
                        ..p
                    },
                );
            }
            t::GC_MARK_ASSIST_START => {
                if g.mark_assist {
                    return Err(fail(format!(
                        "previous mark assist is not ended before a new one (time {})",
                        ev.ts
                    )));
                }
                gs.insert(
                    ev.g,
                    GDesc {
                        mark_assist: true,
                        ..g
                    },
                );
            }
            t::GC_MARK_ASSIST_DONE => {
                // Assists can be in progress when tracing starts: no error for a stray end.
                gs.insert(
                    ev.g,
                    GDesc {
                        mark_assist: false,
                        ..g
                    },
                );
            }
            t::GC_SWEEP_DONE => {
                if !p.sweeping {
                    return Err(fail(format!("bogus sweeping end (time {})", ev.ts)));
                }
                ps.insert(
                    ev.p,
                    PDesc {
                        sweeping: false,
                        ..p
                    },
                );
            }
            t::GO_WAITING | t::GO_IN_SYSCALL => {
                if g.state != State::Runnable {
                    let name = if ev.typ == t::GO_WAITING {
                        "EvGoWaiting"
                    } else {
                        "EvGoInSyscall"
                    };
                    return Err(fail(format!(
                        "g {} is not runnable before {name} (time {})",
                        ev.g, ev.ts
                    )));
                }
                gs.insert(
                    ev.g,
                    GDesc {
                        state: State::Waiting,
                        ev: Some(ev.typ),
                        ..g
                    },
                );
            }
            t::GO_CREATE => {
                check_running(p, g, &ev, true).map_err(fail)?;
                if gs.contains_key(&ev.args[0]) {
                    return Err(fail(format!(
                        "g {} already exists (time {})",
                        ev.args[0], ev.ts
                    )));
                }
                gs.insert(
                    ev.args[0],
                    GDesc {
                        state: State::Runnable,
                        ev: Some(ev.typ),
                        create_stack: Some(ev.args[1]),
                        ..GDesc::default()
                    },
                );
            }
            t::GO_START | t::GO_START_LABEL => {
                if g.state != State::Runnable {
                    return Err(fail(format!(
                        "g {} is not runnable before start (time {})",
                        ev.g, ev.ts
                    )));
                }
                if p.g != 0 {
                    return Err(fail(format!(
                        "p {} is already running g {} while start g {} (time {})",
                        ev.p, p.g, ev.g, ev.ts
                    )));
                }
                if let Some(stk) = g.create_stack {
                    events[idx].stk = stk as u32;
                }
                gs.insert(
                    ev.g,
                    GDesc {
                        state: State::Running,
                        create_stack: None,
                        ev: None,
                        ..g
                    },
                );
                ps.insert(ev.p, PDesc { g: ev.g, ..p });
            }
            x if matches!(
                x,
                t::GO_END | t::GO_STOP | t::GO_SCHED | t::GO_PREEMPT | t::GO_SYS_BLOCK
            ) || is_block(x) =>
            {
                // The goroutine stops running; blocking and yielding events are kept as
                // the cause of its next wake-up.
                check_running(p, g, &ev, false).map_err(fail)?;
                let (state, cause) = match x {
                    t::GO_END | t::GO_STOP => (State::Dead, g.ev),
                    t::GO_SCHED | t::GO_PREEMPT => (State::Runnable, Some(x)),
                    t::GO_SYS_BLOCK => (State::Waiting, g.ev),
                    _ => (State::Waiting, Some(x)),
                };
                gs.insert(
                    ev.g,
                    GDesc {
                        state,
                        ev: cause,
                        ..g
                    },
                );
                ps.insert(ev.p, PDesc { g: 0, ..p });
                if x == t::GO_END {
                    // Flush the goroutine's open regions.
                    regions.remove(&ev.g);
                }
            }
            t::GO_UNBLOCK => {
                if g.state != State::Running {
                    return Err(fail(format!(
                        "g {} is not running while unpark (time {})",
                        ev.g, ev.ts
                    )));
                }
                if ev.p != fake_p::TIMER && p.g != ev.g {
                    return Err(fail(format!(
                        "p {} is not running g {} while unpark (time {})",
                        ev.p, ev.g, ev.ts
                    )));
                }
                let g1 = gs.get(&ev.args[0]).copied().unwrap_or_default();
                if g1.state != State::Waiting {
                    return Err(fail(format!(
                        "g {} is not waiting before unpark (time {})",
                        ev.args[0], ev.ts
                    )));
                }
                if g1.ev == Some(t::GO_BLOCK_NET) {
                    events[idx].p = fake_p::NETPOLL;
                }
                gs.insert(
                    ev.args[0],
                    GDesc {
                        state: State::Runnable,
                        ev: Some(ev.typ),
                        ..g1
                    },
                );
            }
            t::GO_SYS_CALL => {
                check_running(p, g, &ev, false).map_err(fail)?;
                gs.insert(
                    ev.g,
                    GDesc {
                        ev: Some(ev.typ),
                        ..g
                    },
                );
            }
            t::GO_SYS_EXIT => {
                if g.state != State::Waiting {
                    return Err(fail(format!(
                        "g {} is not waiting during syscall exit (time {})",
                        ev.g, ev.ts
                    )));
                }
                gs.insert(
                    ev.g,
                    GDesc {
                        state: State::Runnable,
                        ev: Some(ev.typ),
                        ..g
                    },
                );
            }
            t::USER_TASK_CREATE => {
                let id = ev.args[0];
                if let Some(&prev) = tasks.get(&id) {
                    return Err(fail(format!(
                        "task id conflicts (id:{id}), {:?} vs {:?}",
                        ev.go_string(),
                        events[prev].go_string()
                    )));
                }
                tasks.insert(id, idx);
            }
            t::USER_TASK_END => {
                tasks.remove(&ev.args[0]);
            }
            t::USER_REGION => match ev.args[1] {
                0 => regions.entry(ev.g).or_default().push(idx),
                1 => {
                    if let Some(open) = regions.get_mut(&ev.g)
                        && let Some(&s) = open.last()
                    {
                        let start = events[s];
                        if start.args[0] != ev.args[0] || start.args[2] != ev.args[2] {
                            return Err(fail(format!(
                                "misuse of region in goroutine {}: span end {:?} when the inner-most active span start event is {:?}",
                                ev.g,
                                ev.go_string(),
                                start.go_string()
                            )));
                        }
                        open.pop();
                        if open.is_empty() {
                            regions.remove(&ev.g);
                        }
                    }
                }
                _ => {
                    return Err(fail(format!(
                        "invalid user region mode: {:?}",
                        ev.go_string()
                    )));
                }
            },
            _ => {}
        }
        // Events must not refer to stacks that do not exist or have no frames.
        let stk = events[idx].stk;
        if stk != 0 && stacks.get(&stk).is_none_or(|s| s.1 == 0) {
            events[idx].stk = 0;
        }
    }
    Ok(())
}
