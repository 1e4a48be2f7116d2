//! DKIM (RFC 6376, RFC 8463) signing and verification for tegami; empty until the DKIM issue lands.
