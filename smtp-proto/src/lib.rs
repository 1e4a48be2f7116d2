//! Sans-IO SMTP (RFC 5321) codec and sessions for tegami; empty until the SMTP issue lands.
