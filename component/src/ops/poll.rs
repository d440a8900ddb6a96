//! The polling triggers: changed files (ListObjectsV2 over a time window)
//! and new buckets (ListBuckets since the last poll). Pure but for the
//! listings; the state goes back to the host.

use super::{list_buckets, list_objects};
use crate::client::{Client, Transport};
use crate::error::{Error, Result};
use crate::time;
use crate::triggers::{
    ChangedFilesBody, ChangedFilesOutput, ChangedFilesPayload, NewBucketsBody, NewBucketsOutput, NewBucketsPayload, PollCursor, PollState,
};
use std::time::{SystemTime, UNIX_EPOCH};

/// A look-back date (`YYYY-MM-DD`, a real day, not after today) as ISO 8601 at UTC midnight.
pub fn look_back(date: Option<&str>, now: SystemTime) -> Result<Option<String>> {
    let Some(date) = crate::validate::non_blank(date).map(str::trim) else { return Ok(None) };
    let bad = || {
        Error::invalid_input(
            "InvalidLookBackDate",
            format!("lookBackDate {:?} is not a day such as 2026-01-31 (YYYY-MM-DD).", date.chars().take(32).collect::<String>()),
        )
    };
    if date.len() != 10 || date.as_bytes()[4] != b'-' || date.as_bytes()[7] != b'-' {
        return Err(bad());
    }
    let (secs, _) = time::parse_rfc3339(&format!("{date}T00:00:00Z")).ok_or_else(bad)?;
    if secs > time::unix_secs(now) {
        return Err(Error::invalid_input("InvalidLookBackDate", format!("lookBackDate {date} is in the future.")));
    }
    Ok(Some(time::iso_from_unix(secs, 0)))
}

/// The state's `lastPolledAt`, checked.
fn last_polled_at(state: Option<&PollState>) -> Result<Option<&str>> {
    match state.and_then(|s| s.last_polled_at.as_deref()) {
        Some(v) if time::parse_rfc3339(v).is_none() => {
            Err(Error::invalid_input("InvalidState", format!("state.lastPolledAt {v:?} is not an ISO 8601 date-time.")))
        }
        last => Ok(last),
    }
}

/// What to poll for changed files.
#[derive(Debug, Clone, Default)]
pub struct FilesInput {
    /// The bucket.
    pub bucket: String,
    /// The look-back date as given.
    pub look_back_date: Option<String>,
    /// Only keys under this prefix.
    pub prefix: Option<String>,
    /// The previous poll's state.
    pub state: Option<PollState>,
    /// One page per poll, with a cursor.
    pub batch: bool,
}

/// Poll for new and updated files (SPEC 3.2's window and cursor rules).
pub fn changed_files<T: Transport>(client: &Client<T>, input: FilesInput) -> Result<ChangedFilesOutput> {
    crate::validate::bucket(&input.bucket)?;
    let now = client.now();
    let look_back = look_back(input.look_back_date.as_deref(), now)?;
    last_polled_at(input.state.as_ref())?;
    let state = input.state.unwrap_or(PollState { last_polled_at: None, cursor: None });
    let incoming = if input.batch { state.cursor.clone() } else { None };
    let (window_start, window_end, mut resume_after) = match &incoming {
        Some(c) => (time::from_iso(&c.window_start), time::from_iso(&c.window_end), c.resume_after.clone()),
        None => {
            let end = time::iso_from_unix(time::unix_secs(now), 0);
            let start = state.last_polled_at.as_deref().map(time::from_iso).or(look_back).unwrap_or_else(|| end.clone());
            (start, end, None)
        }
    };
    let empty_window = window_start >= window_end;
    let mut keys = Vec::new();
    let mut more = false;
    if !empty_window {
        let mut seen = crate::paging::Seen::default();
        loop {
            let page_input = list_objects::Input {
                bucket: input.bucket.clone(),
                prefix: input.prefix.clone(),
                max_keys: Some(1000),
                start_after: resume_after.clone(),
                ..Default::default()
            };
            let page = list_objects::parse(&client.execute(list_objects::request(&client.conn, &page_input)?)?)?;
            for o in &page.contents {
                if o.last_modified.as_deref().is_some_and(|lm| window_start.as_str() <= lm && lm < window_end.as_str()) {
                    keys.push(o.key.clone());
                }
            }
            resume_after = if page.is_truncated { page.contents.last().map(|o| o.key.clone()) } else { None };
            let Some(after) = &resume_after else { break };
            seen.next(after)?;
            if input.batch {
                more = true;
                break;
            }
        }
    }
    let next =
        more.then(|| PollCursor { window_start: window_start.clone(), window_end: window_end.clone(), resume_after: resume_after.clone() });
    let new_state = match &next {
        Some(cursor) => PollState { last_polled_at: state.last_polled_at.clone(), cursor: Some(cursor.clone()) },
        None => PollState { last_polled_at: Some(if empty_window { window_start } else { window_end }), cursor: None },
    };
    Ok(ChangedFilesOutput {
        polled_no_changes: keys.is_empty() && next.is_none() && incoming.is_none(),
        payload: ChangedFilesPayload { body: ChangedFilesBody { data: keys } },
        state: new_state,
    })
}

/// Poll for new buckets (SPEC 3.3).
pub fn new_buckets<T: Transport>(client: &Client<T>, look_back_date: Option<&str>, state: Option<PollState>) -> Result<NewBucketsOutput> {
    let now_time = client.now();
    let look_back = look_back(look_back_date, now_time)?;
    let last = last_polled_at(state.as_ref())?;
    let nanos = now_time.duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let now = time::iso_from_unix(time::unix_secs(now_time), nanos);
    let inclusive = last.is_none() && look_back.is_some();
    let since = last.map(time::from_iso).or(look_back).unwrap_or_else(|| now.clone());
    let buckets: Vec<_> = list_buckets::run(client, None)?
        .into_iter()
        .filter(|b| b.creation_date.as_deref().is_some_and(|c| if inclusive { c >= since.as_str() } else { c > since.as_str() }))
        .collect();
    Ok(NewBucketsOutput {
        polled_no_changes: buckets.is_empty(),
        payload: NewBucketsPayload { body: NewBucketsBody { data: buckets } },
        state: PollState { last_polled_at: Some(now), cursor: None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::Script;
    use crate::ops::test_support::conn;

    fn page(objects: &[(&str, &str)], truncated: bool) -> String {
        let items: String = objects
            .iter()
            .map(|(k, lm)| format!("<Contents><Key>{k}</Key><LastModified>{lm}</LastModified><Size>1</Size></Contents>"))
            .collect();
        format!("<ListBucketResult><Name>b</Name><IsTruncated>{truncated}</IsTruncated>{items}</ListBucketResult>")
    }

    /// The scripted transport's clock is the epoch: shift the window by looking back.
    fn state(last: &str) -> Option<PollState> {
        Some(PollState { last_polled_at: Some(last.into()), cursor: None })
    }

    #[test]
    fn look_back_dates_are_real_past_days() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600); // 2026-01-01
        assert_eq!(look_back(Some(" 2025-12-31 "), now).unwrap().as_deref(), Some("2025-12-31T00:00:00.000Z"));
        assert_eq!(look_back(Some(""), now).unwrap(), None);
        for bad in ["2024/01/15", "2024-02-31", "2024-1-5", "yesterday", "2026-01-02"] {
            let e = look_back(Some(bad), now).unwrap_err();
            assert_eq!(e.code, "InvalidLookBackDate", "{bad}");
            assert!(e.message.contains("lookBackDate"));
        }
    }

    #[test]
    fn the_window_is_half_open_and_every_page_is_read() {
        let s = Script::default();
        // The window: from the stored position to the epoch... so store a past position.
        s.push(200, &[], page(&[("a", "1969-12-31T23:59:58.000Z"), ("b", "1969-12-31T23:59:00.000Z")], true).as_bytes());
        s.push(200, &[], page(&[("c", "1970-01-01T00:00:00.000Z"), ("d", "1969-12-31T23:59:59.999Z")], false).as_bytes());
        let input = FilesInput { bucket: "bkt".into(), state: state("1969-12-31T23:59:58.000Z"), ..Default::default() };
        let out = changed_files(&Client::new(conn(), &s), input).unwrap();
        assert_eq!(out.payload.body.data, ["a", "d"], "start inclusive, end (now) exclusive");
        assert_eq!(out.state.last_polled_at.as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert!(out.state.cursor.is_none());
        let urls = s.urls();
        assert!(urls[0].contains("max-keys=1000") && !urls[0].contains("start-after"), "{urls:?}");
        assert!(urls[1].contains("start-after=b"), "{urls:?}");
    }

    #[test]
    fn batches_keep_a_cursor_and_the_first_poll_only_records_the_position() {
        let s = Script::default();
        s.push(200, &[], page(&[("a", "1969-12-31T23:59:59.000Z")], true).as_bytes());
        let input = FilesInput { bucket: "bkt".into(), state: state("1969-12-31T00:00:00.000Z"), batch: true, ..Default::default() };
        let out = changed_files(&Client::new(conn(), &s), input).unwrap();
        let cursor = out.state.cursor.clone().unwrap();
        assert_eq!((cursor.resume_after.as_deref(), cursor.window_end.as_str()), (Some("a"), "1970-01-01T00:00:00.000Z"));
        assert_eq!(out.state.last_polled_at.as_deref(), Some("1969-12-31T00:00:00.000Z"), "kept until the listing finishes");
        assert!(!out.polled_no_changes);
        // The next round resumes after the cursor in the same window.
        s.push(200, &[], page(&[("b", "1969-12-31T23:00:00.000Z")], false).as_bytes());
        let out = changed_files(
            &Client::new(conn(), &s),
            FilesInput { bucket: "bkt".into(), state: Some(out.state), batch: true, ..Default::default() },
        )
        .unwrap();
        assert_eq!(out.payload.body.data, ["b"]);
        assert!(s.urls()[1].contains("start-after=a"));
        assert_eq!(out.state.last_polled_at.as_deref(), Some("1970-01-01T00:00:00.000Z"));
        // No state and no look-back date: an empty window, no request.
        let quiet = Script::default();
        let out = changed_files(&Client::new(conn(), &quiet), FilesInput { bucket: "bkt".into(), ..Default::default() }).unwrap();
        assert!(out.polled_no_changes && quiet.urls().is_empty());
        assert_eq!(out.state.last_polled_at.as_deref(), Some("1970-01-01T00:00:00.000Z"));
    }

    #[test]
    fn a_malformed_state_is_refused() {
        let s = Script::default();
        let e = changed_files(
            &Client::new(conn(), &s),
            FilesInput { bucket: "bkt".into(), state: state("last tuesday"), ..Default::default() },
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidState");
        assert!(s.urls().is_empty());
    }
}
