//! From a signed statement to a typed domain command: which aggregate, which stream, whose
//! business (for authorization), and the body parsed strictly (unknown fields refused).

use domain::authorization::Scope;
use domain::registry::{
    ActorCommand, InstitutionCommand, RegisterActor, RegisterInstitution, RevokeActor,
};
use domain::StreamName;
use ledger::Statement;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

/// A command for one of the aggregates.
#[derive(Clone, Debug)]
pub enum Routed {
    Institution(InstitutionCommand),
    Actor(ActorCommand),
}

/// A statement understood: its stream, its command and whose business it is.
#[derive(Clone, Debug)]
pub struct RoutedCommand {
    pub stream: StreamName,
    pub command: Routed,
    pub scope: Scope,
}

/// # Errors
/// 400 `unknown_command`, `wrong_stream` (stream type does not fit the command),
/// `invalid_stream`/`invalid_id`, or `invalid_body` (the body does not fit the command).
pub fn route(statement: &Statement) -> Result<RoutedCommand, ApiError> {
    let stream = StreamName::parse(&statement.stream)?;
    let (kind, command) = match statement.command.as_str() {
        "RegisterInstitution" => (
            "institution",
            Routed::Institution(InstitutionCommand::Register(body::<RegisterInstitution>(
                &statement.body,
            )?)),
        ),
        "RegisterActor" => (
            "registry",
            Routed::Actor(ActorCommand::Register(body::<RegisterActor>(
                &statement.body,
            )?)),
        ),
        "RevokeActor" => (
            "registry",
            Routed::Actor(ActorCommand::Revoke(body::<RevokeActor>(&statement.body)?)),
        ),
        other if ledger::roles::COMMANDS.contains(&other) => {
            return Err(ApiError::bad_request(
                "unsupported_command",
                format!("command {other} is not available yet"),
            ))
        }
        other => {
            return Err(ApiError::bad_request(
                "unknown_command",
                format!("unknown command {other:?}"),
            ))
        }
    };
    if stream.kind != kind {
        return Err(ApiError::bad_request(
            "wrong_stream",
            format!(
                "{} goes on a {kind}/<id> stream, not {}",
                statement.command, statement.stream
            ),
        ));
    }
    Ok(RoutedCommand {
        stream,
        command,
        scope: Scope::Registry,
    })
}

fn body<T: DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    serde_json::from_value(body.clone())
        .map_err(|e| ApiError::bad_request("invalid_body", format!("body: {e}")))
}
