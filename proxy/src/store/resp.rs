//! Just enough of the Redis protocol (RESP2) for [`super::RedisStore`]: commands as arrays of
//! bulk strings, and the five reply types.
//!
//! A full client crate would add many dependencies for the handful of commands the proxy
//! sends; this one is small enough to read in a minute.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

use super::StoreError;

/// Replies larger than this are refused rather than buffered.
const MAX_BULK: i64 = 8 * 1024 * 1024;

/// One Redis reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// A command as the bytes Redis reads.
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + args.iter().map(|a| a.len() + 16).sum::<usize>());
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Reads one reply.
pub async fn read<R: AsyncBufRead + Unpin + Send>(reader: &mut R) -> Result<Reply, StoreError> {
    let line = read_line(reader).await?;
    let (kind, rest) = line.split_at(1);
    match kind {
        "+" => Ok(Reply::Status(rest.to_owned())),
        "-" => Ok(Reply::Error(rest.to_owned())),
        ":" => Ok(Reply::Integer(number(rest)?)),
        "$" => {
            let len = number(rest)?;
            if len < 0 {
                return Ok(Reply::Bulk(None));
            }
            if len > MAX_BULK {
                return Err(StoreError::Protocol(format!(
                    "a {len}-byte reply is too large"
                )));
            }
            let mut data = vec![0u8; len as usize + 2];
            reader.read_exact(&mut data).await.map_err(io)?;
            if !data.ends_with(b"\r\n") {
                return Err(StoreError::Protocol("a bulk reply lacks its CRLF".into()));
            }
            data.truncate(len as usize);
            Ok(Reply::Bulk(Some(data)))
        }
        "*" => {
            let len = number(rest)?;
            if len < 0 {
                return Ok(Reply::Array(None));
            }
            let mut items = Vec::with_capacity(len.min(1024) as usize);
            for _ in 0..len {
                items.push(Box::pin(read(reader)).await?);
            }
            Ok(Reply::Array(Some(items)))
        }
        other => Err(StoreError::Protocol(format!(
            "unknown reply type `{other}`"
        ))),
    }
}

async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<String, StoreError> {
    let mut line = Vec::new();
    let n = reader.read_until(b'\n', &mut line).await.map_err(io)?;
    if n == 0 {
        return Err(StoreError::Protocol("Redis closed the connection".into()));
    }
    if !line.ends_with(b"\r\n") || line.len() < 3 {
        return Err(StoreError::Protocol("a reply line is malformed".into()));
    }
    line.truncate(line.len() - 2);
    String::from_utf8(line).map_err(|_| StoreError::Protocol("a reply line is not UTF-8".into()))
}

fn number(text: &str) -> Result<i64, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Protocol(format!("`{text}` is not a number")))
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Protocol(format!("reading a reply failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(bytes: &[u8]) -> Result<Reply, StoreError> {
        let mut reader = tokio::io::BufReader::new(bytes);
        read(&mut reader).await
    }

    #[test]
    fn encodes_bulk_string_arrays() {
        assert_eq!(
            encode(&[b"SET", b"k", b"a b"]),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\n"
        );
    }

    #[tokio::test]
    async fn reads_every_reply_type() {
        assert_eq!(parse(b"+OK\r\n").await, Ok(Reply::Status("OK".into())));
        assert_eq!(
            parse(b"-ERR no\r\n").await,
            Ok(Reply::Error("ERR no".into()))
        );
        assert_eq!(parse(b":42\r\n").await, Ok(Reply::Integer(42)));
        assert_eq!(parse(b"$-1\r\n").await, Ok(Reply::Bulk(None)));
        assert_eq!(
            parse(b"$4\r\na\r\nb\r\n").await,
            Ok(Reply::Bulk(Some(b"a\r\nb".to_vec())))
        );
        assert_eq!(
            parse(b"*2\r\n:1\r\n$1\r\nx\r\n").await,
            Ok(Reply::Array(Some(vec![
                Reply::Integer(1),
                Reply::Bulk(Some(b"x".to_vec()))
            ])))
        );
        assert!(parse(b"").await.is_err());
        assert!(parse(b"?x\r\n").await.is_err());
        assert!(parse(b"$5\r\nab\r\n").await.is_err());
    }
}
