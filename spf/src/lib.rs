//! SPF (RFC 7208) evaluation for tegami; empty until the SPF issue lands.
