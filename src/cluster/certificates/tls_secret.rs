//! TLS secrets (type kubernetes.io/tls): what the first certificate of `tls.crt` says. The row
//! keeps only those facts, never the private key or the secret's data.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::pem::Pem;
use x509_parser::x509::X509Name;

use super::super::RowUpdate;
use super::super::store::{FromObject, ObjectKey, Row, WatchUpdate};
use crate::text::sanitize;

const TLS_TYPE: &str = "kubernetes.io/tls";

/// One TLS secret, reduced to its leaf certificate. Text fields are sanitized.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TlsSecretRow {
    pub key: ObjectKey,
    pub not_before: Option<Timestamp>,
    pub not_after: Option<Timestamp>,
    /// The issuer's common name, or its whole distinguished name when it has none.
    pub issuer: String,
    /// The subject's common name, or its whole distinguished name when it has none.
    pub subject: String,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<IpAddr>,
    /// Why no certificate could be read from the secret; the fields above are then empty.
    pub problem: Option<String>,
}

impl Row for TlsSecretRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<Secret> for TlsSecretRow {
    const KIND: crate::cluster::store::WatchKind = crate::cluster::store::WatchKind::TlsSecrets;

    fn from_object(secret: &Secret) -> Self {
        TlsSecretRow::from(secret)
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::TlsSecrets(update)
    }
}

impl From<&Secret> for TlsSecretRow {
    fn from(secret: &Secret) -> Self {
        let meta = &secret.metadata;
        let key = ObjectKey::new(
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default(),
        );
        match leaf_certificate(secret) {
            Ok(row) => TlsSecretRow { key, ..row },
            Err(problem) => TlsSecretRow {
                key,
                problem: Some(sanitize(&problem)),
                ..TlsSecretRow::default()
            },
        }
    }
}

/// Reads the first certificate of `tls.crt`; the error is a short reason for the pane.
fn leaf_certificate(secret: &Secret) -> Result<TlsSecretRow, String> {
    let kind = secret.type_.as_deref().unwrap_or("Opaque");
    if kind != TLS_TYPE {
        return Err(format!("type is {kind}, not {TLS_TYPE}"));
    }
    let pem = secret
        .data
        .as_ref()
        .and_then(|data| data.get("tls.crt"))
        .map(|bytes| bytes.0.as_slice())
        .filter(|bytes| !bytes.is_empty())
        .ok_or("tls.crt is missing or empty")?;
    let mut blocks = Pem::iter_from_buffer(pem);
    let block = loop {
        match blocks.next() {
            Some(Ok(block)) if block.label == "CERTIFICATE" => break block,
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(format!("tls.crt is not valid PEM: {e}")),
            None => return Err("tls.crt holds no PEM certificate".to_owned()),
        }
    };
    let cert = block
        .parse_x509()
        .map_err(|e| format!("tls.crt is not a valid X.509 certificate: {e}"))?;
    let validity = cert.validity();
    let (dns_names, ip_addresses) = alternative_names(&cert)?;
    Ok(TlsSecretRow {
        not_before: Timestamp::from_second(validity.not_before.timestamp()).ok(),
        not_after: Timestamp::from_second(validity.not_after.timestamp()).ok(),
        issuer: common_name_or_dn(cert.issuer()),
        subject: common_name_or_dn(cert.subject()),
        dns_names,
        ip_addresses,
        ..TlsSecretRow::default()
    })
}

fn alternative_names(cert: &X509Certificate<'_>) -> Result<(Vec<String>, Vec<IpAddr>), String> {
    let mut dns_names = Vec::new();
    let mut ip_addresses = Vec::new();
    let extension = cert
        .subject_alternative_name()
        .map_err(|e| format!("tls.crt has an invalid subjectAltName: {e}"))?;
    for name in extension.iter().flat_map(|ext| &ext.value.general_names) {
        match name {
            GeneralName::DNSName(dns) => dns_names.push(sanitize(dns)),
            GeneralName::IPAddress(bytes) => ip_addresses.extend(ip_address(bytes)),
            _ => {}
        }
    }
    Ok((dns_names, ip_addresses))
}

fn ip_address(bytes: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return Some(Ipv4Addr::from(v4).into());
    }
    <[u8; 16]>::try_from(bytes).ok().map(|v6| Ipv6Addr::from(v6).into())
}

fn common_name_or_dn(name: &X509Name<'_>) -> String {
    let common_name = name.iter_common_name().find_map(|cn| cn.as_str().ok());
    sanitize(&common_name.map_or_else(|| name.to_string(), str::to_owned))
}
