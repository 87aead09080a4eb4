//! Samples as stacks of printable frame names, root first: what folded stacks, flame
//! graphs and speedscope files are made of.

use foldhash::{HashMap, HashMapExt};

use crate::graph::{GraphBuilder, NodeKey};
use crate::query::Prepared;

/// Frame names (interned) and, per location, its frames outermost first.
pub(crate) struct Stacks {
    /// Distinct frame names.
    pub names: Vec<String>,
    /// Per location: frame name ids, caller first.
    loc_frames: Vec<Vec<u32>>,
}

impl Stacks {
    pub fn new(prep: &Prepared<'_>) -> Stacks {
        let b = GraphBuilder::new(&prep.draft, prep.graph_options());
        let mut ids: HashMap<NodeKey, u32> = HashMap::new();
        let mut by_name: HashMap<String, u32> = HashMap::new();
        let mut names = Vec::new();
        let loc_frames = (0..prep.draft.num_locations() as u32)
            .map(|loc| {
                b.location_keys(loc)
                    .rev()
                    .map(|k| {
                        *ids.entry(*k).or_insert_with(|| {
                            let name = b.info(k).printable_name();
                            *by_name.entry(name.clone()).or_insert_with(|| {
                                names.push(name);
                                names.len() as u32 - 1
                            })
                        })
                    })
                    .collect()
            })
            .collect();
        Stacks { names, loc_frames }
    }

    /// Calls `f(frames root first, value)` for every sample with a non-zero value.
    pub fn for_each(&self, prep: &Prepared<'_>, mut f: impl FnMut(&[u32], i64)) {
        let mut stack = Vec::new();
        for i in 0..prep.draft.num_samples() {
            let s = prep.draft.sample(i);
            let v = prep.sample_value(s.values);
            if v == 0 {
                continue;
            }
            stack.clear();
            for loc in s.locations.iter().rev() {
                stack.extend_from_slice(&self.loc_frames[loc as usize]);
            }
            f(&stack, v);
        }
    }
}
