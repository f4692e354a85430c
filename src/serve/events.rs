//! Live-reload events to every open page, without a page ever holding up a rebuild: each
//! stream has a small queue that its own connection thread writes out (with a deadline), and
//! sending only puts a message in the queues. A stream whose queue is full is not keeping up
//! and is dropped; its page's EventSource reconnects and catches up from the `hello` event.

use std::collections::HashSet;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

/// Open streams at most (a browser keeps one per visible tab); more get 503.
pub const MAX_STREAMS: usize = 256;
/// Messages waiting for one stream; a rebuild sends two to five.
const QUEUE: usize = 16;

#[derive(Default)]
pub struct Streams {
    queues: Mutex<Vec<Queue>>,
}

struct Queue {
    sender: SyncSender<Arc<[u8]>>,
    /// The output the stream's page shows (`a/index.html`), which a rebuild renders first.
    page: Option<String>,
}

impl Streams {
    fn queues(&self) -> std::sync::MutexGuard<'_, Vec<Queue>> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The outputs the open pages show.
    pub fn pages(&self) -> HashSet<String> {
        self.queues()
            .iter()
            .filter_map(|q| q.page.clone())
            .collect()
    }

    /// A new stream, whose first message is `hello()`; it is composed under the lock that
    /// [`Streams::send`] takes, so no message falls between it and the stream's start. `page`:
    /// the output the page shows, when it said. None at [`MAX_STREAMS`].
    pub fn subscribe(
        &self,
        page: Option<String>,
        hello: impl FnOnce() -> String,
    ) -> Option<Receiver<Arc<[u8]>>> {
        let mut queues = self.queues();
        if queues.len() >= MAX_STREAMS {
            // Closed streams are otherwise dropped at the next message.
            queues.retain(|q| !is_closed(&q.sender));
        }
        if queues.len() >= MAX_STREAMS {
            return None;
        }
        let (sender, receiver) = sync_channel(QUEUE);
        sender.try_send(hello().into_bytes().into()).ok()?;
        queues.push(Queue { sender, page });
        Some(receiver)
    }

    /// Queues `message` for every stream; never waits. Streams that are closed or full are
    /// dropped.
    pub fn send(&self, message: &str) {
        let message: Arc<[u8]> = message.as_bytes().into();
        self.queues()
            .retain(|q| q.sender.try_send(Arc::clone(&message)).is_ok());
    }

    /// Queues `message` for the streams of pages showing `page` (an output) only.
    pub fn send_to(&self, page: &str, message: &str) {
        let message: Arc<[u8]> = message.as_bytes().into();
        self.queues().retain(|q| {
            q.page.as_deref() != Some(page) || q.sender.try_send(Arc::clone(&message)).is_ok()
        });
    }

    pub fn len(&self) -> usize {
        self.queues().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether the stream's connection has ended (its receiver is gone), found without sending.
fn is_closed(queue: &SyncSender<Arc<[u8]>>) -> bool {
    // An empty message is written as nothing at all; it takes a place in the queue, so this
    // is done only at the cap.
    matches!(
        queue.try_send(Arc::from(&b""[..])),
        Err(TrySendError::Disconnected(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_that_does_not_keep_up_is_dropped_and_the_others_get_everything() {
        let streams = Streams::default();
        let stalled = streams.subscribe(None, || "hello\n\n".into()).unwrap();
        let reading = streams.subscribe(None, || "hello\n\n".into()).unwrap();
        let mut received = Vec::new();
        for i in 0..QUEUE * 3 {
            streams.send(&format!("event {i}\n\n"));
            received.push(reading.recv().unwrap());
        }
        assert_eq!(streams.len(), 1, "the stalled stream was dropped");
        assert_eq!(&*received[0], b"hello\n\n");
        assert_eq!(received.len(), QUEUE * 3);
        // What the stalled stream had queued is still there; then it ends.
        assert_eq!(stalled.iter().count(), QUEUE);
    }

    #[test]
    fn closed_streams_make_room() {
        let streams = Streams::default();
        let open: Vec<_> = (0..MAX_STREAMS)
            .map(|_| streams.subscribe(None, String::new).unwrap())
            .collect();
        assert!(streams.subscribe(None, String::new).is_none(), "at the cap");
        drop(open);
        assert!(streams.subscribe(None, String::new).is_some());
    }
}
