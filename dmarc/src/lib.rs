//! DMARC (RFC 9989) evaluation and reporting for tegami; empty until the DMARC issue lands.
