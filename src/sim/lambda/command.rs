//! What a student can change about a Lambda function while it runs: its error rate (a fault
//! to break something, and the way back).

use serde::Serialize;

use super::state::LambdaState;
use crate::sim::base::json::{Errors, Obj};
use crate::sim::base::limits::{Ratio, FUNCTION_ERROR_RATE, NAME_CHARS_MAX};

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LambdaCommand {
    /// A Lambda function starts (or stops) failing at this rate.
    SetFunctionErrorRate {
        function_name: String,
        error_rate: f64,
    },
}

impl LambdaCommand {
    pub const TYPES: &'static [&'static str] = &["set_function_error_rate"];

    pub fn parse(_kind: &str, o: &mut Obj, errs: &mut Errors) -> Option<Self> {
        let required = Ratio {
            default: None,
            ..FUNCTION_ERROR_RATE
        };
        Some(LambdaCommand::SetFunctionErrorRate {
            function_name: o.text("function_name", None, NAME_CHARS_MAX, errs)?,
            error_rate: o.num("error_rate", required, errs)?,
        })
    }

    pub fn function_name(&self) -> &str {
        match self {
            LambdaCommand::SetFunctionErrorRate { function_name, .. } => function_name,
        }
    }
}

impl LambdaState {
    /// Applies a command about this trigger's function; returns what a student should notice.
    pub fn apply(&mut self, command: &LambdaCommand) -> String {
        match command {
            LambdaCommand::SetFunctionErrorRate { error_rate, .. } => {
                self.function.error_rate = *error_rate;
                if *error_rate > 0.0 {
                    format!(
                        "{} now fails {}% of its invocations: failed batches are retried and hold up their shard",
                        self.function.name,
                        (error_rate * 100.0).round()
                    )
                } else {
                    format!("{} no longer fails", self.function.name)
                }
            }
        }
    }
}
