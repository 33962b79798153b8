//! The controls a lesson step or an exercise may offer, and the command types each one sends:
//! one table, read by the validator, by `streamsim check` (a command of a control the exercise
//! does not allow makes an attempt invalid) and by the page (`controls()` in the facade).

use serde::Serialize;

/// A control and the command types it sends (none for the ones that only drive the run).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Control {
    pub control: &'static str,
    pub commands: &'static [&'static str],
    /// What it is, for an author.
    pub about: &'static str,
}

/// The editor: a step or exercise with it may send any command (only the playground has it).
pub const SCENARIO: &str = "scenario";

/// The seed control: allowed only where the exercise's seed is "any".
pub const SEED: &str = "seed";

/// Every control. Each command type of `Command::types()` belongs to exactly one of them (a test
/// checks), except that `scenario` allows them all.
pub const CONTROLS: &[Control] = &[
    Control {
        control: "play",
        commands: &[],
        about: "play and pause",
    },
    Control {
        control: "step",
        commands: &[],
        about: "one tick",
    },
    Control {
        control: "speed",
        commands: &[],
        about: "the speed of the run",
    },
    Control {
        control: "reset",
        commands: &[],
        about: "restart from the start",
    },
    Control {
        control: SEED,
        commands: &[],
        about: "another seed (only where the exercise's seed is \"any\")",
    },
    Control {
        control: "rate",
        commands: &["set_rate"],
        about: "a producer's records per second",
    },
    Control {
        control: "pause_producer",
        commands: &["pause_producer", "resume_producer"],
        about: "pause and resume a producer",
    },
    Control {
        control: "hot_key",
        commands: &["set_hot_key_share"],
        about: "a producer's hot-key share",
    },
    Control {
        control: "add_producer",
        commands: &["add_producer"],
        about: "add a producer",
    },
    Control {
        control: "shards",
        commands: &["update_shard_count"],
        about: "the shard count (UpdateShardCount)",
    },
    Control {
        control: "reshard",
        commands: &["split_shard", "merge_shards"],
        about: "split or merge one shard",
    },
    Control {
        control: "consumers",
        commands: &["crash_worker", "restart_worker", "set_processing_rate"],
        about: "KCL workers and a consumer's processing speed",
    },
    Control {
        control: "lambda",
        commands: &["set_function_error_rate", "update_event_source_mapping"],
        about:
            "a Lambda function's error rate and its trigger's settings (UpdateEventSourceMapping)",
    },
    Control {
        control: "firehose",
        commands: &["update_destination"],
        about: "buffering hints and compression",
    },
    Control {
        control: "faults",
        commands: &[
            "put_poison_record",
            "set_s3_available",
            "set_s3_timeout_rate",
            "set_redshift_available",
            "set_transform_rates",
        ],
        about:
            "faults: a poison record, S3 and Redshift outages, S3 timeouts, the transform's results",
    },
    Control {
        control: SCENARIO,
        commands: &[],
        about: "the scenario editor: any command (the playground)",
    },
];

/// The control names, in table order.
pub fn names() -> Vec<&'static str> {
    CONTROLS.iter().map(|c| c.control).collect()
}

/// The control a command type belongs to.
pub fn control_of(command_type: &str) -> Option<&'static str> {
    CONTROLS
        .iter()
        .find(|c| c.commands.contains(&command_type))
        .map(|c| c.control)
}

/// Whether `controls` allow sending a command of `command_type`.
pub fn allows(controls: &[&str], command_type: &str) -> bool {
    controls.contains(&SCENARIO) || control_of(command_type).is_some_and(|c| controls.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Command;

    #[test]
    fn every_command_type_belongs_to_exactly_one_control() {
        for t in Command::types() {
            let n = CONTROLS.iter().filter(|c| c.commands.contains(&t)).count();
            assert_eq!(n, 1, "{t} belongs to {n} controls");
        }
        for c in CONTROLS {
            for t in c.commands {
                assert!(
                    Command::types().contains(t),
                    "{t} of {} is no command",
                    c.control
                );
            }
        }
        let mut names = names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CONTROLS.len());
    }

    #[test]
    fn the_editor_allows_anything_and_others_only_theirs() {
        assert!(allows(&["scenario"], "split_shard"));
        assert!(allows(&["reshard"], "split_shard"));
        assert!(!allows(&["shards", "rate"], "split_shard"));
        assert_eq!(control_of("set_hot_key_share"), Some("hot_key"));
    }
}
