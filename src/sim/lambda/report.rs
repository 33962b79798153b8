//! A Lambda trigger's part of the report.

use serde::Serialize;

use super::state::LambdaState;

#[derive(Serialize)]
pub struct LambdaReport {
    pub function_name: String,
    pub invocations: u64,
    pub errors: u64,
    pub retries: u64,
    pub bisections: u64,
    pub processed: u64,
    pub discarded: u64,
    pub on_failure_destination: Option<String>,
    pub expired_in_retry: u64,
    pub redeliveries: u64,
    pub concurrent_executions_max: u64,
}

impl LambdaState {
    pub fn report(&self) -> LambdaReport {
        let n = &self.counters;
        LambdaReport {
            function_name: self.function.name.clone(),
            invocations: n.invocations,
            errors: n.errors,
            retries: n.retries,
            bisections: n.bisections,
            processed: n.processed,
            discarded: n.discarded,
            on_failure_destination: self.esm.on_failure_destination.clone(),
            expired_in_retry: n.expired_in_retry,
            redeliveries: n.redeliveries,
            concurrent_executions_max: n.concurrent_max,
        }
    }
}
