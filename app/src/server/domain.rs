//! Values that come from outside, parsed once at the edge: a user identifier, an e-mail address,
//! a phone number. The capture page (`GET /verif/`), the partner API (`POST /v1/sessions`) and
//! `POST /verif/submit` parse them with these, so a value that fails gets the same 400 wherever
//! it enters. (Origins and URLs: `partners::Origin`, `partners::HttpUrl`.)

use super::error::AppError;
use crate::contract::messages;

/// The partner's identifier of its user: present, at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserIdentifier(String);

impl UserIdentifier {
    pub const MAX_CHARS: usize = 255;

    /// The guide's `user_identifier` (or `user_id`): missing or blank is the guide's 400.
    pub fn parse(v: Option<&str>) -> Result<Self, AppError> {
        let v = v
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| AppError::bad_request(messages::USER_IDENTIFIER_REQUIRED))?;
        if v.chars().count() > Self::MAX_CHARS {
            return Err(AppError::bad_request(format!(
                "user_identifier must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        Ok(Self(v.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// An e-mail address as far as the service needs one: one `@` with text on both sides, no
/// white space, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(v: &str) -> Result<Self, AppError> {
        let v = v.trim();
        if v.len() > 254
            || !v.contains('@')
            || v.starts_with('@')
            || v.ends_with('@')
            || v.chars().any(char::is_whitespace)
        {
            return Err(AppError::bad_request(
                "user_email is not a valid email address",
            ));
        }
        Ok(Self(v.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The same address (case-insensitively: partners and users write them both ways).
    pub fn same_as(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other.trim())
    }
}

/// A phone number: digits with the usual separators (`+`, space, `-`, `.`, parentheses), at
/// least one digit, at most 32 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(v: &str) -> Result<Self, AppError> {
        let v = v.trim();
        if v.len() > 32
            || !v
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
            || !v.chars().any(|c| c.is_ascii_digit())
        {
            return Err(AppError::bad_request(
                "user_phone is not a valid phone number",
            ));
        }
        Ok(Self(v.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional field: absent or blank is no value; anything else must parse.
fn optional<T>(
    v: Option<&str>,
    parse: impl Fn(&str) -> Result<T, AppError>,
) -> Result<Option<T>, AppError> {
    v.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(parse)
        .transpose()
}

/// The contact data that may come with a user: each optional, each checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub email: Option<Email>,
    pub phone: Option<Phone>,
}

impl Contact {
    pub fn parse(email: Option<&str>, phone: Option<&str>) -> Result<Self, AppError> {
        Ok(Self {
            email: optional(email, Email::parse)?,
            phone: optional(phone, Phone::parse)?,
        })
    }
    pub fn email(&self) -> Option<String> {
        self.email.as_ref().map(|e| e.as_str().to_string())
    }
    pub fn phone(&self) -> Option<String> {
        self.phone.as_ref().map(|p| p.as_str().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_is_checked_the_same_way() {
        for (input, ok) in [
            (None, false),
            (Some("  "), false),
            (Some("user-1"), true),
            (Some(&*"x".repeat(256)), false),
            (Some(&*"é".repeat(255)), true),
        ] {
            assert_eq!(UserIdentifier::parse(input).is_ok(), ok, "{input:?}");
        }
        for (input, ok) in [
            ("a@b.example", true),
            ("@b", false),
            ("a@", false),
            ("a b@c", false),
            ("no-at-sign", false),
        ] {
            assert_eq!(Email::parse(input).is_ok(), ok, "{input}");
        }
        for (input, ok) in [
            ("+1 (555) 010-0100", true),
            ("call me", false),
            ("+-", false),
            ("1".repeat(33).as_str(), false),
        ] {
            assert_eq!(Phone::parse(input).is_ok(), ok, "{input}");
        }
        assert_eq!(Contact::parse(Some(" "), None).unwrap(), Contact::default());
        assert!(Email::parse("A@B.example").unwrap().same_as("a@b.EXAMPLE"));
    }
}
