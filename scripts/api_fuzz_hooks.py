"""Schemathesis hooks for scripts/api-fuzz: how to write a body of a media type it does not know."""
import schemathesis
from hypothesis import strategies as st

# Raw mail for POST /api/v1/mail/messages: arbitrary bytes, and messages with generated headers
# and bodies (both must come back as a documented answer, the unreadable ones quarantined).
MESSAGES = st.one_of(
    st.binary(max_size=2_000),
    st.builds(
        lambda subject, body: f"From: ana@helix.example\r\nTo: support@acme.example\r\nSubject: {subject}\r\n\r\n{body}\r\n".encode("utf-8", "replace"),
        st.text(max_size=60),
        st.text(max_size=400),
    ),
)
schemathesis.openapi.media_type("message/rfc822", MESSAGES)
