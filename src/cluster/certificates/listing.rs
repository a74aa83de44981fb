//! The list the Certificates pane shows: cert-manager Certificates and the TLS secrets Ingresses
//! reference, joined, with how urgent each one is.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::super::store::{ObjectKey, Row, RowStore};
use super::{CertificateRow, IngressTlsRef, Readiness, TlsSecretRow};

/// Under this many days left a certificate wants attention soon.
const SOON_DAYS: i64 = 30;
/// Under this many days left (or expired) it is critical.
const CRITICAL_DAYS: i64 = 7;

/// Whole days from `now` until `not_after`, rounded down: 0 on the last day, negative once expired.
pub fn days_left(not_after: Timestamp, now: Timestamp) -> i64 {
    (not_after.as_second() - now.as_second()).div_euclid(24 * 60 * 60)
}

/// How worried to be about a certificate; decides the colour of its days left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Ok,
    /// Expires within 30 days, or its readiness is not known yet.
    Soon,
    /// Expires within 7 days, has expired, or is not Ready (including a secret that is missing or
    /// does not hold a certificate).
    Critical,
}

/// The one place that decides urgency. Readiness `Unknown` (no Ready condition yet, a secret not
/// listed yet) is `Soon`: worth a look, but not an alarm for a certificate still being issued.
pub fn urgency(days_left: Option<i64>, ready: Readiness) -> Urgency {
    match (ready, days_left) {
        (Readiness::NotReady, _) => Urgency::Critical,
        (_, Some(days)) if days < CRITICAL_DAYS => Urgency::Critical,
        (_, Some(days)) if days < SOON_DAYS => Urgency::Soon,
        (Readiness::Unknown, _) => Urgency::Soon,
        (Readiness::Ready, _) => Urgency::Ok,
    }
}

/// Where an entry comes from: a cert-manager Certificate, Ingresses referencing its secret, or both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    pub cert_manager: bool,
    /// Names of the Ingresses (in the entry's namespace) that reference the secret, sorted.
    pub ingresses: Vec<String>,
}

impl Source {
    /// `cert-manager`, `ingress web`, `ingress api, web`, or `cert-manager, ingress web`.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if self.cert_manager {
            parts.push("cert-manager".to_owned());
        }
        if !self.ingresses.is_empty() {
            parts.push(format!("ingress {}", self.ingresses.join(", ")));
        }
        parts.join(", ")
    }
}

/// One line of the Certificates pane: a Certificate or a TLS secret. Text is sanitized.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateEntry {
    /// Unique among entries: the key, with `secret/` before the name of a secret that no
    /// Certificate issues (a Certificate and a secret may share a name).
    pub id: ObjectKey,
    /// The Certificate's namespace and name, or the secret's.
    pub key: ObjectKey,
    pub ready: Readiness,
    /// A Certificate's dnsNames; a secret's SANs (DNS names, then IPs), else its subject; the
    /// Ingress hosts for a secret that cannot be read.
    pub names: Vec<String>,
    /// The name of a Certificate's issuer (as kubectl shows it); the issuer's common name for a secret.
    pub issuer: String,
    pub not_after: Option<Timestamp>,
    pub renewal: Option<Timestamp>,
    pub source: Source,
    /// Why it is not Ready: the Ready condition's reason and message, or what is wrong with the secret.
    pub problem: Option<String>,
}

// The pane tells entries apart by `id`; `key` is the object's own namespace and name.
impl Row for CertificateEntry {
    #[allow(clippy::misnamed_getters)]
    fn key(&self) -> &ObjectKey {
        &self.id
    }
}

impl CertificateEntry {
    /// What tells entries apart: the key, with `secret/` before the name of a secret that no
    /// Certificate issues (a Certificate and a secret may share a name).
    pub fn unique_key(&self) -> ObjectKey {
        if self.source.cert_manager {
            self.key.clone()
        } else {
            ObjectKey {
                namespace: self.key.namespace.clone(),
                name: format!("secret/{}", self.key.name).into(),
            }
        }
    }

    pub fn days_left(&self, now: Timestamp) -> Option<i64> {
        self.not_after.map(|t| days_left(t, now))
    }

    pub fn urgency(&self, now: Timestamp) -> Urgency {
        urgency(self.days_left(now), self.ready)
    }

    fn from_secret(secret: &TlsSecretRow, source: Source) -> Self {
        let mut names = secret.dns_names.clone();
        names.extend(secret.ip_addresses.iter().map(|ip| ip.to_string()));
        if names.is_empty() && !secret.subject.is_empty() {
            names.push(secret.subject.clone());
        }
        CertificateEntry {
            key: secret.key.clone(),
            id: ObjectKey::default(),
            ready: if secret.problem.is_some() {
                Readiness::NotReady
            } else {
                Readiness::Ready
            },
            names,
            issuer: secret.issuer.clone(),
            not_after: secret.not_after,
            renewal: None,
            source,
            problem: secret.problem.clone(),
        }
    }

    /// A referenced secret that is not in the store: missing once the listing is complete,
    /// not known yet before that.
    fn missing_secret(key: ObjectKey, hosts: Vec<String>, source: Source, listed: bool) -> Self {
        let problem = listed.then(|| {
            let by = match source.ingresses.as_slice() {
                [one] => format!("ingress {one}"),
                many => format!("ingresses {}", many.join(", ")),
            };
            format!("secret {} referenced by {by} not found", key.name)
        });
        CertificateEntry {
            id: ObjectKey::default(),
            key,
            ready: if listed {
                Readiness::NotReady
            } else {
                Readiness::Unknown
            },
            names: hosts,
            issuer: String::new(),
            not_after: None,
            renewal: None,
            source,
            problem,
        }
    }
}

impl From<&CertificateRow> for CertificateEntry {
    fn from(cert: &CertificateRow) -> Self {
        let problem = match cert.ready {
            Readiness::Ready => None,
            _ => Some(match (cert.ready_reason.as_str(), cert.ready_message.as_str()) {
                ("", "") => "no Ready condition yet".to_owned(),
                (reason, "") => reason.to_owned(),
                ("", message) => message.to_owned(),
                (reason, message) => format!("{reason}: {message}"),
            }),
        };
        CertificateEntry {
            key: cert.key.clone(),
            id: ObjectKey::default(),
            ready: cert.ready,
            names: cert.dns_names.clone(),
            issuer: cert.issuer.name.clone(),
            not_after: cert.not_after,
            renewal: cert.renewal_time,
            source: Source {
                cert_manager: true,
                ingresses: Vec::new(),
            },
            problem,
        }
    }
}

/// The join: every TLS secret referenced by at least one Ingress, once, with the names of those
/// Ingresses, sorted by key. A referenced secret missing from a complete listing of `secrets` is
/// an entry with a problem ("secret X referenced by ingress Y not found").
pub fn ingress_secret_entries<'a>(
    ingresses: impl IntoIterator<Item = &'a IngressTlsRef>,
    secrets: &RowStore<TlsSecretRow>,
) -> Vec<CertificateEntry> {
    let mut referenced: BTreeMap<ObjectKey, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for ingress in ingresses {
        for tls in &ingress.tls {
            let key = ObjectKey {
                namespace: ingress.key.namespace.clone(),
                name: tls.secret_name.as_str().into(),
            };
            let (names, hosts) = referenced.entry(key).or_default();
            names.insert(&ingress.key.name);
            hosts.extend(tls.hosts.iter().map(String::as_str));
        }
    }
    referenced
        .into_iter()
        .map(|(key, (ingress_names, hosts))| {
            let source = Source {
                cert_manager: false,
                ingresses: ingress_names.into_iter().map(str::to_owned).collect(),
            };
            match secrets.get(&key) {
                Some(secret) => CertificateEntry::from_secret(secret, source),
                None => {
                    let hosts = hosts.into_iter().map(str::to_owned).collect();
                    CertificateEntry::missing_secret(key, hosts, source, secrets.is_synced())
                }
            }
        })
        .collect()
}

/// Everything the pane lists, sorted by key: each Certificate, and each Ingress-referenced secret
/// that no Certificate issues. A secret a Certificate issues is shown once, as the Certificate
/// (which says more: readiness, renewal), with the referencing Ingresses added to its source.
pub fn pane_entries(
    certificates: &RowStore<CertificateRow>,
    ingresses: &RowStore<IngressTlsRef>,
    secrets: &RowStore<TlsSecretRow>,
) -> Vec<CertificateEntry> {
    let mut entries: Vec<CertificateEntry> = certificates.iter().map(CertificateEntry::from).collect();
    let issued: BTreeMap<ObjectKey, usize> = certificates
        .iter()
        .enumerate()
        .filter(|(_, cert)| !cert.secret_name.is_empty())
        .map(|(i, cert)| {
            let secret = ObjectKey {
                namespace: cert.key.namespace.clone(),
                name: cert.secret_name.as_str().into(),
            };
            (secret, i)
        })
        .collect();
    for entry in ingress_secret_entries(ingresses.iter(), secrets) {
        match issued.get(&entry.key) {
            Some(&i) => entries[i].source.ingresses.extend(entry.source.ingresses),
            None => entries.push(entry),
        }
    }
    for entry in &mut entries {
        entry.source.ingresses.sort();
        entry.source.ingresses.dedup();
    }
    for entry in &mut entries {
        entry.id = entry.unique_key();
    }
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    entries
}
