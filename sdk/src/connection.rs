//! Reading a connection: its values (a JSON object, with secrets refused), a
//! secret from the host, the form fields of a connection definition, and the
//! `Authorization` header of HTTP Basic.

use crate::bindings::integration::connector::types::{Connection, Input, InputKind};
use crate::errors::{Error, invalid_connection};
use crate::platform::Platform;
use base64::Engine as _;
use serde_json::{Map, Value};

/// A connection's values, refusing secrets stored among them: `secrets` are
/// the secret keys the connector reads, named in the error so the user knows
/// where they belong.
pub fn values(connection: &Connection, secrets: &[&str]) -> Result<Map<String, Value>, Error> {
    let parsed = crate::strict_json::parse(&connection.values).map_err(|e| {
        invalid_connection(format!("the connection's values are not valid JSON ({e})"))
    })?;
    let Value::Object(map) = parsed else {
        return Err(invalid_connection(
            "the connection's values must be a JSON object of its inputs, such as {\"name\": \"value\"}",
        ));
    };
    if let Some(key) = map.keys().find(|k| looks_secret(k)) {
        return Err(invalid_connection(format!(
            "`{}` looks like a secret: store secrets ({}) with the host's secrets, not in the connection's values",
            crate::text::quoted(key),
            secrets.join(", ")
        )));
    }
    Ok(map)
}

/// Whether a value's key names a secret in any spelling (`api-token`,
/// `API_TOKEN`, `apiToken`, `token`, `secrets`, `password`...); `token-url`
/// is not one.
pub fn looks_secret(key: &str) -> bool {
    let plain: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    plain.ends_with("token")
        || plain.contains("secret")
        || plain.contains("password")
        || ["authorization", "apikey", "credentials", "bearer"].contains(&plain.as_str())
}

/// A non-empty string value of the connection, trimmed.
pub fn text<'a>(values: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    values
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The host's value of secret `key`, or an error naming it and `hint` (how
/// to get one).
pub fn secret(platform: &dyn Platform, key: &str, hint: &str) -> Result<String, Error> {
    platform
        .secret(key)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| invalid_connection(format!("the host supplied no `{key}` secret: {hint}")))
}

/// Checks a user name for HTTP Basic (from input `user_input`): one holding
/// `:` or a control character would end early inside the credential.
pub fn check_basic_user(user_input: &str, user: &str) -> Result<(), Error> {
    if user.contains(':') || user.chars().any(char::is_control) {
        return Err(invalid_connection(format!(
            "`{user_input}` cannot hold `:` or control characters: Basic authentication joins it and the secret with `:`"
        )));
    }
    Ok(())
}

/// The `Authorization` value of HTTP Basic for `user` (from input
/// `user_input`, checked by [`check_basic_user`]) and `password`.
pub fn basic_authorization(user_input: &str, user: &str, password: &str) -> Result<String, Error> {
    check_basic_user(user_input, user)?;
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    Ok(format!("Basic {credentials}"))
}

/// One form field of a connection definition; `default` and `example` are
/// plain text (written out as JSON strings).
pub fn field(
    key: &str,
    label: &str,
    description: &str,
    kind: InputKind,
    required: bool,
    default: Option<&str>,
    example: Option<&str>,
) -> Input {
    let text = |v: Option<&str>| v.map(|v| Value::String(v.into()).to_string());
    Input {
        key: key.into(),
        label: label.into(),
        description: description.into(),
        kind,
        required,
        default: text(default),
        example: text(example),
        choices: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(values: &str) -> Connection {
        Connection {
            definition: "basic".into(),
            values: values.into(),
        }
    }

    #[test]
    fn values_refuse_secrets_in_any_spelling_and_name_where_they_go() {
        assert!(values(&connection(r#"{"user": "jane", "token-url": "x"}"#), &[]).is_ok());
        for key in [
            "api-token",
            "API_TOKEN",
            "apiToken",
            "password",
            "secrets",
            "Bearer",
        ] {
            let Err(Error::InvalidConnection(message)) =
                values(&connection(&format!(r#"{{"{key}": "x"}}"#)), &["token"])
            else {
                panic!("{key} was accepted");
            };
            assert!(message.contains("(token)"), "{message}");
        }
        assert!(values(&connection("[]"), &[]).is_err());
        assert!(values(&connection(r#"{"a": 1, "a": 2}"#), &[]).is_err());
    }

    #[test]
    fn basic_authorization_encodes_and_refuses_a_colon() {
        assert_eq!(
            basic_authorization("user", "a@b.c", "tok").unwrap(),
            "Basic YUBiLmM6dG9r"
        );
        let Err(Error::InvalidConnection(message)) = basic_authorization("user", "a:b", "tok")
        else {
            panic!("a colon was accepted");
        };
        assert!(message.starts_with("`user` cannot hold `:`"), "{message}");
    }
}
