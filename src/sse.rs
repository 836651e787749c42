//! Server-Sent Events as the widget reads them from a `fetch` body, chunk by chunk.
//!
//! Our own on purpose: the browser's `EventSource` cannot send an `Authorization` header (the
//! session token would have to go into the URL, and from there into logs), and the event
//! stream format is a few rules (lines, `event:`, `data:`, comments) that a crate would cost
//! the first wasm module more bytes than it saves.

/// One dispatched event: its `event:` name (`message` when none was given) and its `data:`
/// lines joined by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub name: String,
    pub data: String,
}

/// Reads events out of a byte stream that arrives in arbitrary pieces.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of a line not yet ended; kept as bytes so a character split between two chunks
    /// is read whole.
    pending: Vec<u8>,
    name: String,
    data: Vec<String>,
}

impl SseParser {
    /// Feeds the next chunk and returns the events it completed, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n' || *b == b'\r') {
            // `\r\n` is one line end, whichever chunk its halves came in: a lone `\r` at the
            // end of a chunk waits for the next.
            let width = match (self.pending[end], self.pending.get(end + 1)) {
                (b'\r', Some(b'\n')) => 2,
                (b'\r', None) => break,
                _ => 1,
            };
            let line: Vec<u8> = self.pending.drain(..end + width).take(end).collect();
            if let Some(event) = self.line(&String::from_utf8_lossy(&line)) {
                events.push(event);
            }
        }
        events
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let name = std::mem::take(&mut self.name);
            if self.data.is_empty() {
                return None;
            }
            let data = std::mem::take(&mut self.data).join("\n");
            let name = if name.is_empty() {
                "message".to_owned()
            } else {
                name
            };
            return Some(SseEvent { name, data });
        }
        if line.starts_with(':') {
            return None; // a comment, such as the heartbeat
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => value.clone_into(&mut self.name),
            "data" => self.data.push(value.to_owned()),
            _ => {} // `id`, `retry` and unknown fields: the widget reconnects on its own terms
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str) -> SseEvent {
        SseEvent {
            name: name.into(),
            data: data.into(),
        }
    }

    #[test]
    fn events_are_read_across_chunk_boundaries() {
        let stream =
            "event: ready\ndata: {}\n\n: heartbeat\n\nevent: ticket\ndata: {\"n\":\"é\"}\n\n";
        let whole = SseParser::default().push(stream.as_bytes());
        assert_eq!(
            whole,
            [event("ready", "{}"), event("ticket", "{\"n\":\"é\"}")]
        );
        // Every split, including inside the two bytes of "é", gives the same events.
        for split in 0..stream.len() {
            let mut parser = SseParser::default();
            let mut events = parser.push(&stream.as_bytes()[..split]);
            events.extend(parser.push(&stream.as_bytes()[split..]));
            assert_eq!(events, whole, "split at {split}");
        }
    }

    #[test]
    fn crlf_and_cr_end_lines_and_data_lines_join() {
        let mut parser = SseParser::default();
        let mut events = parser.push(b"data: one\r");
        assert!(events.is_empty());
        events.extend(parser.push(b"\ndata:two\r\n\r\nevent: x\rdata\r\r"));
        events.extend(parser.push(b"data: 2\n\n"));
        assert_eq!(
            events,
            [
                event("message", "one\ntwo"),
                event("x", ""),
                event("message", "2")
            ]
        );
    }

    #[test]
    fn comments_and_unknown_fields_dispatch_nothing() {
        let mut parser = SseParser::default();
        assert!(parser
            .push(b": heartbeat\n\nid: 4\nretry: 10\n\nevent: ticket\n\n")
            .is_empty());
        // The name of an event without data does not leak into the next one.
        assert_eq!(parser.push(b"data: 1\n\n"), [event("message", "1")]);
    }
}
