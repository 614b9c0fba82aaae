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
#[derive(Default)]
pub struct Multipart {
    parts: Vec<Part>,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Multipart {
        Multipart::default()
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
        let boundary = (0u64..)
            .map(|n| format!("confluence-connector-boundary-{n}"))
            .find(|b| !self.parts.iter().any(|p| contains(&p.data, b.as_bytes())))
            .unwrap_or_default();
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

/// Whether `haystack` contains `needle`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
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
        let mut form = Multipart::new();
        form.text("comment", "see --confluence-connector-boundary-0 inside")
            .file("file", "a\"b.txt", "text/plain", b"hello".to_vec());
        let (content_type, body) = form.finish();
        assert_eq!(
            content_type,
            "multipart/form-data; boundary=confluence-connector-boundary-1"
        );
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            "--confluence-connector-boundary-1\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nsee --confluence-connector-boundary-0 inside\r\n\
             --confluence-connector-boundary-1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%22b.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
             --confluence-connector-boundary-1--\r\n"
        );
        assert_eq!(media_type_for("Report.PDF"), "application/pdf");
        assert_eq!(media_type_for("noext"), "application/octet-stream");
    }

    #[test]
    fn a_typed_text_field_carries_its_content_type_but_no_file_name() {
        let mut form = Multipart::new();
        form.typed_text("comment", "text/plain; charset=UTF-8", "für");
        let (_, body) = form.finish();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "--confluence-connector-boundary-0\r\nContent-Disposition: form-data; name=\"comment\"\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nfür\r\n\
             --confluence-connector-boundary-0--\r\n"
        );
    }
}
