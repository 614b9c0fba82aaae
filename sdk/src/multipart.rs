//! `multipart/form-data` bodies (RFC 7578), for uploads and raw requests.
//!
//! The boundary is chosen so that no part contains it, and is otherwise the
//! same every time, so a recorded request replays byte for byte.

/// One part of a form.
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

/// A form being assembled.
pub struct Multipart {
    boundary_prefix: &'static str,
    parts: Vec<Part>,
}

impl Multipart {
    /// An empty form whose boundary will be `boundary_prefix` and a number
    /// (a connector's own, such as `myconnector-boundary-`, so its recorded
    /// uploads replay byte for byte).
    pub fn new(boundary_prefix: &'static str) -> Multipart {
        Multipart {
            boundary_prefix,
            parts: Vec::new(),
        }
    }

    /// Adds a text field.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.parts.push(Part {
            name: name.to_string(),
            file_name: None,
            content_type: None,
            data: value.as_bytes().to_vec(),
        });
        self
    }

    /// Adds a text field with its own `Content-Type` (such as `text/plain; charset=UTF-8`,
    /// which tells the receiver how the text is encoded).
    pub fn typed_text(&mut self, name: &str, content_type: &str, value: &str) -> &mut Self {
        self.parts.push(Part {
            name: name.to_string(),
            file_name: None,
            content_type: Some(content_type.to_string()),
            data: value.as_bytes().to_vec(),
        });
        self
    }

    /// Adds a file.
    pub fn file(
        &mut self,
        name: &str,
        file_name: &str,
        content_type: &str,
        data: Vec<u8>,
    ) -> &mut Self {
        self.parts.push(Part {
            name: name.to_string(),
            file_name: Some(file_name.to_string()),
            content_type: Some(content_type.to_string()),
            data,
        });
        self
    }

    /// The body and its `Content-Type` header value.
    pub fn finish(&self) -> (String, Vec<u8>) {
        let boundary = format!(
            "{}{}",
            self.boundary_prefix,
            free_number(
                self.boundary_prefix,
                self.parts.iter().map(|p| p.data.as_slice())
            )
        );
        let mut body = Vec::new();
        for part in &self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition = format!(
                "Content-Disposition: form-data; name=\"{}\"",
                quoted(&part.name)
            );
            if let Some(file_name) = &part.file_name {
                disposition.push_str(&format!("; filename=\"{}\"", quoted(file_name)));
            }
            body.extend_from_slice(disposition.as_bytes());
            body.extend_from_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }
}

/// The smallest `n` such that no part contains `prefix` + `n`, in one
/// pass over the parts: each place the prefix occurs rules out the numbers
/// whose digits begin the digits that follow it (`…-12` rules out 1 and 12),
/// so at most as many numbers are ruled out as the parts have bytes.
fn free_number<'a>(prefix: &str, parts: impl Iterator<Item = &'a [u8]>) -> u64 {
    let prefix = prefix.as_bytes();
    let mut taken = std::collections::BTreeSet::new();
    for data in parts {
        let mut from = 0;
        while let Some(at) = find(&data[from..], prefix) {
            let digits_start = from + at + prefix.len();
            let digits = data[digits_start..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .take(19);
            let mut n: u64 = 0;
            for (i, digit) in digits.enumerate() {
                if i == 1 && n == 0 {
                    break; // `0` then more digits: no number but 0 is written so.
                }
                n = n * 10 + u64::from(digit - b'0');
                taken.insert(n);
            }
            from = digits_start;
        }
    }
    (0..).find(|n| !taken.contains(n)).unwrap_or_default()
}

/// Where `needle` first occurs in `haystack` (the needle here is a short
/// constant, so this stays linear in the haystack).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A name or file name as a quoted-string may carry it: quotes and line breaks
/// percent-encoded, as browsers do.
fn quoted(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The media type of a file name's extension, for the common kinds; otherwise
/// `application/octet-stream`.
pub fn media_type_for(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_form_whose_boundary_no_part_contains() {
        let mut form = Multipart::new("test-boundary-");
        form.text("comment", "see --test-boundary-0 inside").file(
            "file",
            "a\"b.txt",
            "text/plain",
            b"hello".to_vec(),
        );
        let (content_type, body) = form.finish();
        assert_eq!(
            content_type,
            "multipart/form-data; boundary=test-boundary-1"
        );
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            "--test-boundary-1\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nsee --test-boundary-0 inside\r\n\
             --test-boundary-1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%22b.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
             --test-boundary-1--\r\n"
        );
        assert_eq!(media_type_for("Report.PDF"), "application/pdf");
        assert_eq!(media_type_for("noext"), "application/octet-stream");
    }

    #[test]
    fn the_boundary_is_the_smallest_number_no_part_contains() {
        let number =
            |texts: &[&str]| free_number("test-boundary-", texts.iter().map(|t| t.as_bytes()));
        assert_eq!(number(&[]), 0);
        assert_eq!(number(&["x test-boundary-0 y"]), 1);
        // `-12` also contains `-1`; `-05` contains `-0` but not `-5`.
        assert_eq!(
            number(&["test-boundary-0", "test-boundary-12test-boundary-2"]),
            3
        );
        assert_eq!(number(&["test-boundary-05"]), 1);
        assert_eq!(number(&["test-boundary-"]), 0);
    }

    #[test]
    fn a_body_full_of_candidate_boundaries_is_handled_in_one_pass() {
        // 3.2 MB of candidates: trying each number against the whole body
        // took minutes; one pass takes milliseconds.
        let mut data = Vec::new();
        let mut n = 0;
        while data.len() < 3_200_000 {
            data.extend_from_slice(format!("--test-boundary-{n}\r\n").as_bytes());
            n += 1;
        }
        let mut form = Multipart::new("test-boundary-");
        form.file("file", "f.bin", "application/octet-stream", data.clone());
        let (content_type, body) = form.finish();
        let boundary = content_type.rsplit_once('=').unwrap().1.to_string();
        assert_eq!(boundary, format!("test-boundary-{n}"));
        assert!(find(&data, boundary.as_bytes()).is_none());
        assert!(body.len() > data.len());
    }

    #[test]
    fn a_typed_text_field_carries_its_content_type_but_no_file_name() {
        let mut form = Multipart::new("test-boundary-");
        form.typed_text("comment", "text/plain; charset=UTF-8", "für");
        let (_, body) = form.finish();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "--test-boundary-0\r\nContent-Disposition: form-data; name=\"comment\"\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nfür\r\n\
             --test-boundary-0--\r\n"
        );
    }
}
