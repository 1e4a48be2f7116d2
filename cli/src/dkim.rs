//! `tegami dkim verify|sign|keygen`: DKIM (RFC 6376, RFC 8463) from the command line.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use tegami::core::crypto::{
    AwsLcBackend, CryptoBackend, KeyType, PrivateKey, RingBackend, RingSigningKey, SignPolicy,
    SigningAlgorithm, SigningKey,
};
use tegami::core::dns;
use tegami::core::domain::Domain;
use tegami::dkim::canon::CanonicalizationPair;
use tegami::dkim::{Config, Selector, Signer, SigningSpec, Verifier};

use crate::GlobalArgs;
use crate::error::CliError;
use crate::resolver;

/// Arguments of `tegami dkim`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  tegami --zone examples/example.com.zone --now 1795424500 dkim verify examples/signed.eml\n  tegami --now 1795424400 dkim sign --key examples/keys/ed2026.pem --domain example.com \\\n      --selector ed2026 examples/message.eml\n  tegami dkim keygen --algorithm ed25519 --out /tmp/new.pem --domain example.com --selector s2027"
)]
pub(crate) struct DkimArgs {
    #[command(subcommand)]
    command: DkimCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DkimCommand {
    /// Verify every DKIM signature of a message.
    #[command(
        after_help = "Example:\n  tegami --zone examples/example.com.zone --now 1795424500 --json dkim verify examples/signed.eml"
    )]
    Verify {
        /// The message (LF line ends are read as CRLF).
        file: PathBuf,
        /// Accept rsa-sha1 signatures, which RFC 8301 forbids.
        #[arg(long)]
        allow_rsa_sha1: bool,
    },
    /// Sign a message and print it with its DKIM-Signature field.
    #[command(
        after_help = "Examples:\n  tegami --now 1795424400 dkim sign --key examples/keys/ed2026.pem --domain example.com \\\n      --selector ed2026 examples/message.eml > signed.eml\n  tegami dkim sign --key examples/keys/rsa2026.pem --domain example.com --selector rsa2026 \\\n      --headers from:to:subject:date --canonicalization relaxed/simple examples/message.eml"
    )]
    Sign(SignArgs),
    /// Generate a key pair: the private key to a PEM file, the DNS record to publish on stdout.
    #[command(
        after_help = "Examples:\n  tegami dkim keygen --algorithm ed25519 --domain example.com --selector s2027 --out s2027.pem\n  tegami --json dkim keygen --algorithm rsa --bits 3072 --domain example.com --selector r2027 --out r2027.pem"
    )]
    Keygen(KeygenArgs),
}

#[derive(Debug, clap::Args)]
struct SignArgs {
    /// The private key (PEM: PKCS#1 or PKCS#8, RSA or Ed25519).
    #[arg(long, value_name = "PEM")]
    key: PathBuf,
    /// The signing domain (`d=`).
    #[arg(long, value_name = "D")]
    domain: String,
    /// The selector (`s=`).
    #[arg(long, value_name = "S")]
    selector: String,
    /// `rsa-sha256` (or `rsa`) or `ed25519-sha256` (or `ed25519`); must match the key.
    #[arg(long, value_name = "A")]
    algorithm: Option<String>,
    /// The fields to sign, colon-separated; default: the usual fields, oversigned.
    #[arg(long, value_name = "h:h")]
    headers: Option<String>,
    /// Header and body canonicalization (`c=`), default `relaxed/relaxed`.
    #[arg(long, value_name = "c/c")]
    canonicalization: Option<String>,
    /// The message (LF line ends are read as CRLF).
    file: PathBuf,
}

#[derive(Debug, clap::Args)]
struct KeygenArgs {
    /// `rsa-sha256` (or `rsa`; 2048 bits unless --bits) or `ed25519-sha256` (or `ed25519`).
    #[arg(long, value_name = "A")]
    algorithm: String,
    /// The signing domain.
    #[arg(long, value_name = "D")]
    domain: String,
    /// The selector.
    #[arg(long, value_name = "S")]
    selector: String,
    /// Where to write the private key (PEM, mode 0600); an existing file is not overwritten.
    #[arg(long, value_name = "PEM")]
    out: PathBuf,
    /// RSA modulus size: 2048, 3072 or 4096.
    #[arg(long, default_value_t = 2048)]
    bits: usize,
}

/// Runs the subcommand.
pub(crate) fn run(global: &GlobalArgs, args: &DkimArgs) -> Result<(), CliError> {
    match &args.command {
        DkimCommand::Verify {
            file,
            allow_rsa_sha1,
        } => verify(global, file, *allow_rsa_sha1),
        DkimCommand::Sign(args) => sign(global, args),
        DkimCommand::Keygen(args) => keygen(global, args),
    }
}

fn verify(global: &GlobalArgs, file: &Path, allow_rsa_sha1: bool) -> Result<(), CliError> {
    let resolver = resolver::from_flags(global)?;
    let message = read_message(file)?;
    let mut config = Config::default();
    config.crypto.allow_rsa_sha1 = allow_rsa_sha1;
    let mut verifier = Verifier::new(config, global.now()?);
    verifier
        .handle_input(&message)
        .map_err(|_| CliError::Internal("input after end"))?;
    verifier.handle_end();
    let results = dns::resolve(&mut verifier, &resolver).map_err(CliError::Machine)?;
    if global.json {
        let signatures: Vec<_> = results
            .iter()
            .map(|result| {
                let mut value = signature_json(result);
                if let Some(object) = value.as_object_mut() {
                    object.insert("testing".to_owned(), json!(result.testing));
                }
                value
            })
            .collect();
        out!("{}", json!({ "signatures": signatures }));
    } else if results.is_empty() {
        out!("dkim=none (no DKIM-Signature)");
    } else {
        for result in &results {
            out!(
                "dkim={} d={} s={} a={} ({})",
                result.result,
                result.domain,
                result.selector,
                result.algorithm,
                result.reason()
            );
        }
    }
    Ok(())
}

fn sign(global: &GlobalArgs, args: &SignArgs) -> Result<(), CliError> {
    let key = signing_key(&args.key)?;
    if let Some(name) = &args.algorithm {
        let wanted = algorithm(name)?;
        if wanted != key.algorithm() {
            return Err(CliError::Invalid(
                "--algorithm",
                format!("{name} does not match the key ({})", key.algorithm()),
            ));
        }
    }
    let (domain, selector) = signer_names(&args.domain, &args.selector)?;
    let mut spec = SigningSpec::new(&key, domain, selector);
    if let Some(value) = &args.canonicalization {
        spec.canonicalization = CanonicalizationPair::parse(value)
            .ok_or_else(|| CliError::Invalid("--canonicalization", value.clone()))?;
    }
    if let Some(headers) = &args.headers {
        spec.headers = Some(
            headers
                .split(':')
                .map(str::trim)
                .map(String::from)
                .collect(),
        );
    }
    let message = read_message(&args.file)?;
    let mut signer = Signer::new(vec![spec], global.now()?);
    signer.handle_input(&message);
    let fields = signer
        .finish()
        .map_err(|error| CliError::Key(error.to_string()))?;
    let mut out = std::io::stdout().lock();
    for field in &fields {
        out.write_all(field.as_bytes()).map_err(CliError::Write)?;
    }
    out.write_all(&message).map_err(CliError::Write)?;
    out.flush().map_err(CliError::Write)
}

fn keygen(global: &GlobalArgs, args: &KeygenArgs) -> Result<(), CliError> {
    let algorithm = algorithm(&args.algorithm)?;
    let (domain, selector) = signer_names(&args.domain, &args.selector)?;
    let key = match algorithm.key_type() {
        KeyType::Rsa => AwsLcBackend.generate_rsa(args.bits),
        KeyType::Ed25519 => AwsLcBackend.generate_ed25519(),
    }
    .map_err(|error| CliError::Key(error.to_string()))?;
    let public = AwsLcBackend
        .signing_key(&key, &SignPolicy::default())
        .map_err(|error| CliError::Key(error.to_string()))?
        .public_key();
    write_private(&args.out, key.to_pem().expose())?;
    let dns_name = format!("{selector}._domainkey.{domain}");
    let txt = format!(
        "v=DKIM1; k={}; p={}",
        algorithm.key_type().dkim_name(),
        public.to_dkim_base64()
    );
    if global.json {
        out!("{}", json!({ "dns_name": dns_name, "txt": txt }));
    } else {
        // A master-file line; TXT character-strings hold at most 255 octets each.
        let strings: Vec<String> = txt
            .as_bytes()
            .chunks(255)
            .map(|chunk| format!("\"{}\"", String::from_utf8_lossy(chunk)))
            .collect();
        out!("{dns_name}. IN TXT {}", strings.join(" "));
    }
    Ok(())
}

/// Loads a PEM private key for signing (DKIM or ARC).
pub(crate) fn signing_key(path: &Path) -> Result<RingSigningKey, CliError> {
    let pem = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let key = PrivateKey::from_pem(&pem).map_err(|error| CliError::Key(error.to_string()))?;
    RingBackend
        .signing_key(&key, &SignPolicy::default())
        .map_err(|error| CliError::Key(error.to_string()))
}

/// Validates `--domain` and `--selector`.
pub(crate) fn signer_names(domain: &str, selector: &str) -> Result<(Domain, Selector), CliError> {
    let parsed = domain
        .parse()
        .map_err(|_| CliError::Invalid("--domain", domain.into()))?;
    let selector = Selector::try_from(selector)
        .map_err(|_| CliError::Invalid("--selector", selector.into()))?;
    Ok((parsed, selector))
}

/// A signing algorithm by its `a=` name or its key type (`rsa`, `ed25519`); never rsa-sha1.
fn algorithm(name: &str) -> Result<SigningAlgorithm, CliError> {
    let algorithm = match KeyType::from_dkim_name(name) {
        Some(KeyType::Rsa) => Some(SigningAlgorithm::RsaSha256),
        Some(KeyType::Ed25519) => Some(SigningAlgorithm::Ed25519Sha256),
        None => SigningAlgorithm::from_dkim_name(name),
    };
    algorithm
        .filter(|algorithm| *algorithm != SigningAlgorithm::RsaSha1)
        .ok_or_else(|| CliError::Invalid("--algorithm", name.into()))
}

/// Writes a new private key file readable by its owner only.
fn write_private(path: &Path, pem: &str) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|source| CliError::Create {
        path: path.to_path_buf(),
        source,
    })?;
    file.write_all(pem.as_bytes())
        .map_err(|source| CliError::Create {
            path: path.to_path_buf(),
            source,
        })
}

/// Reads a message file; bare LF line ends (as files on disk often have) become CRLF, the
/// form the message travels in and is signed in.
pub(crate) fn read_message(path: &Path) -> Result<Vec<u8>, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut previous = 0;
    for &byte in &bytes {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    Ok(out)
}

/// One signature's result as the JSON of `dkim verify` and `auth`.
pub(crate) fn signature_json(result: &tegami::dkim::SignatureResult) -> serde_json::Value {
    json!({
        "domain": result.domain,
        "selector": result.selector,
        "algorithm": result.algorithm,
        "result": result.result.as_str(),
        "reason": result.reason(),
    })
}
