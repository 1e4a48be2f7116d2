//! ARC (RFC 8617) validation and sealing for tegami; empty until the ARC issue lands.
