//! The settings every broker process of one run shares (Redis address, partitions,
//! policy, encoder), and their command-line form, so `run` hands the workers it
//! spawns exactly its own.

use redis::Connection;
use session_replay::Limits;
use session_replay::codec::{EncoderConfig, Keyframes};
use session_replay::privacy::{Policy, Preset};

use crate::error::{BrokerError, Result};

/// Shared settings.
#[derive(Debug, Clone)]
pub struct Shared {
    /// `redis://host:port/`.
    pub redis: String,
    /// Partition streams (sessions are spread over them by hash).
    pub partitions: u32,
    /// The masking policy (a preset: both sides must build the same policy, and a
    /// restored scrubber checks it is).
    pub policy: Preset,
    /// Where keyframes go: on the encoder's cadence (the per-batch chunks between them
    /// continue the keyframe chunk), or nowhere.
    pub keyframes: Keyframes,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            redis: "redis://127.0.0.1:6390/".to_string(),
            partitions: 4,
            policy: Preset::Private,
            keyframes: Keyframes::ByCost,
        }
    }
}

impl Shared {
    /// The policy.
    pub fn policy(&self) -> Policy {
        Policy::preset(self.policy)
    }

    /// The encoder configuration of every session.
    pub fn encoder(&self) -> EncoderConfig {
        EncoderConfig::default().with_keyframes(self.keyframes)
    }

    /// Limits on batches and saved state (both come from outside the worker).
    pub fn limits(&self) -> Limits {
        Limits::DEFAULT
    }

    /// A connection to the shared Redis.
    pub fn connect(&self) -> Result<Connection> {
        Ok(redis::Client::open(self.redis.as_str())?.get_connection()?)
    }

    /// Sets one shared option from the command line; false if `name` is not one.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool> {
        match name {
            "--redis" => self.redis = value.to_string(),
            "--partitions" => {
                self.partitions = parse_number(name, value)?;
                if self.partitions == 0 {
                    return Err(BrokerError::Usage("--partitions must be at least 1".into()));
                }
            }
            "--policy" => self.policy = value.parse().map_err(BrokerError::Usage)?,
            "--keyframes" => {
                self.keyframes = match value {
                    "cadence" => Keyframes::ByCost,
                    "none" => Keyframes::None,
                    _ => return Err(BrokerError::Usage("--keyframes is cadence or none".into())),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The options that give these settings to another process.
    pub fn to_args(&self) -> Vec<String> {
        let keyframes = if self.keyframes == Keyframes::None {
            "none"
        } else {
            "cadence"
        };
        [
            ("--redis", self.redis.clone()),
            ("--partitions", self.partitions.to_string()),
            ("--policy", self.policy.name().to_string()),
            ("--keyframes", keyframes.to_string()),
        ]
        .into_iter()
        .flat_map(|(k, v)| [k.to_string(), v])
        .collect()
    }
}

/// A number option's value.
pub fn parse_number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| BrokerError::Usage(format!("{name} needs a number, not {value:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_their_command_line() {
        let mut a = Shared::default();
        a.set("--redis", "redis://127.0.0.1:7001/").unwrap();
        a.set("--partitions", "9").unwrap();
        a.set("--policy", "relaxed").unwrap();
        a.set("--keyframes", "none").unwrap();
        let mut b = Shared::default();
        let args = a.to_args();
        for pair in args.chunks(2) {
            assert!(b.set(&pair[0], &pair[1]).unwrap());
        }
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn bad_values_are_usage_errors() {
        let mut s = Shared::default();
        assert!(s.set("--partitions", "0").is_err());
        assert!(s.set("--partitions", "x").is_err());
        assert!(s.set("--policy", "loose").is_err());
        assert!(s.set("--keyframes", "some").is_err());
        assert!(!s.set("--other", "1").unwrap());
    }
}
