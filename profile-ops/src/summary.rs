//! Summaries of a profile: what `gprofops info` prints.
