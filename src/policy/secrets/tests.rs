//! Tests of the secrets scanner against the built-in rules in `policies/security.toml`.
//!
//! The corpus never holds a real-looking secret in this source file: `[[kind:len]]` in a line is
//! replaced at run time by `len` pseudo-random characters of `kind` (see [`expand`]), so the
//! tokens have the right shape and high entropy but are not credentials anyone issued.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::time::Instant;

use super::*;

const POLICY: &str = include_str!("../../../policies/security.toml");

/// The keys every rule has, which the policy loader removes before a kind sees the table.
const COMMON_KEYS: [&str; 6] = ["id", "kind", "hooks", "severity", "message", "disabled"];

/// The built-in secrets rules and global allowlist, as the policy loader would pass them.
pub(super) fn builtin() -> (Vec<(String, SecretsSpec)>, Allowlist) {
    let file: toml::Table = toml::from_str(POLICY).expect("security.toml parses");
    let mut rules = Vec::new();
    for value in file["rule"].as_array().expect("[[rule]] array") {
        let mut table = value.as_table().expect("rule table").clone();
        if table.get("kind").and_then(|k| k.as_str()) != Some("secrets") {
            continue;
        }
        let id = table["id"].as_str().expect("rule id").to_owned();
        for key in COMMON_KEYS {
            table.remove(key);
        }
        let spec: SecretsSpec = toml::Value::Table(table)
            .try_into()
            .unwrap_or_else(|e| panic!("rule `{id}` does not deserialize: {e}"));
        rules.push((id, spec));
    }
    let global = file
        .get("secrets")
        .and_then(|s| s.get("allowlist"))
        .map(|a| {
            a.clone()
                .try_into()
                .expect("[secrets.allowlist] deserializes")
        })
        .unwrap_or_default();
    (rules, global)
}

pub(super) fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        let (rules, global) = builtin();
        Scanner::new(rules, &global).expect("built-in rules compile")
    })
}

fn scan_all(path: &str, content: &str) -> Vec<SecretHit> {
    let mut out = Vec::new();
    scanner().scan(path, content.as_bytes(), &|_| true, &mut out);
    out
}

/// A deterministic pseudo-random generator (splitmix64), so the corpus is the same every run.
struct Fake(u64);

impl Fake {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| {
                let i = usize::try_from(self.next() % alphabet.len() as u64).expect("small index");
                char::from(alphabet[i])
            })
            .collect()
    }
}

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

fn alphabet(kind: &str) -> Option<String> {
    Some(match kind {
        "b62" => format!("{UPPER}{LOWER}{DIGITS}"),
        "b64" => format!("{UPPER}{LOWER}{DIGITS}+/"),
        "url" => format!("{UPPER}{LOWER}{DIGITS}_-"),
        "b32" => format!("{UPPER}234567"),
        "B36" => format!("{UPPER}{DIGITS}"),
        "hex" => "0123456789abcdef".to_owned(),
        "HEX" => "0123456789ABCDEF".to_owned(),
        "low" => format!("{LOWER}{DIGITS}"),
        "alpha" => format!("{UPPER}{LOWER}"),
        "BECH" => "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".to_owned(),
        "dig" => DIGITS.to_owned(),
        "pw" => format!("{UPPER}{LOWER}{DIGITS}!#^&*@+~-"),
        _ => return None,
    })
}

/// Replaces each `[[kind:len]]` in `template` by `len` random characters of `kind` (and `[[uuid]]`
/// by a random UUID), seeded by `seed`.
pub(super) fn expand(template: &str, seed: u64) -> String {
    let mut fake = Fake(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("[[") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("]]") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let spec = &after[..close];
        let generated = if spec == "ghcrc" {
            Some(github_checksummed(&mut fake))
        } else if spec == "uuid" {
            let hex = alphabet("hex").expect("hex");
            let parts: Vec<String> = [8, 4, 4, 4, 12]
                .iter()
                .map(|&n| fake.string(hex.as_bytes(), n))
                .collect();
            Some(parts.join("-"))
        } else {
            spec.split_once(':').and_then(|(kind, len)| {
                let chars = alphabet(kind)?;
                Some(fake.string(chars.as_bytes(), len.parse().ok()?))
            })
        };
        match generated {
            Some(text) => out.push_str(&text),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// The 36 characters after a GitHub token's prefix: 30 random base62 characters, then the CRC32
/// of those 30 in base62, left-padded with `0` to 6 characters, as GitHub documents its
/// tokens' checksum.
fn github_checksummed(fake: &mut Fake) -> String {
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let body = fake.string(B62, 30);
    let mut crc = crc32(body.as_bytes());
    let mut digits = [b'0'; 6];
    for digit in digits.iter_mut().rev() {
        *digit = B62[(crc % 62) as usize];
        crc /= 62;
    }
    format!("{body}{}", String::from_utf8_lossy(&digits))
}

/// CRC-32 (IEEE 802.3, the zlib one), bit by bit: test data only.
pub(super) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expect {
    /// Reported by the case's rule and no other.
    Hit,
    /// Reported by the case's rule and exactly these others too (several secrets on the line).
    HitAlso(&'static [&'static str]),
    /// Reported by no rule at all.
    Quiet,
}

use Expect::{Hit, HitAlso, Quiet};

/// (rule the case is about, path, line template, expectation).
pub(super) type Case = (&'static str, &'static str, &'static str, Expect);

#[rustfmt::skip]
pub(super) const CORPUS: &[Case] = &[
    // AWS access key id
    ("secret-aws-access-key", "src/config.py", r#"aws_access_key_id = "AKIA[[b32:16]]""#, Hit),
    ("secret-aws-access-key", "deploy/env.sh", "export AWS_ACCESS_KEY_ID=ASIA[[b32:16]]", Hit),
    ("secret-aws-access-key", "infra/main.tf", r#"  access_key = "ABIA[[b32:16]]""#, Hit),
    ("secret-aws-access-key", "deploy/creds.ini", "aws_access_key_id=AKIA[[b32:16]] aws_secret_access_key=[[b64:40]]", HitAlso(&["secret-aws-secret-key"])),
    ("secret-aws-access-key", "docs/aws.md", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", Quiet),
    ("secret-aws-access-key", "src/lib.rs", r#"let id = "AKIA[[b32:15]]";"#, Quiet),
    ("secret-aws-access-key", "src/lib.rs", r#"let id = "AKIB[[b32:16]]";"#, Quiet),
    ("secret-aws-access-key", "src/lib.rs", r#"let id = "akia[[b32:16]]";"#, Quiet),
    ("secret-aws-access-key", "test/fixtures.py", r#"KEY_ID = "AKIAAAAAAAAAAAAAAAAA""#, Quiet),
    // AWS secret access key
    ("secret-aws-secret-key", "src/config.py", "aws_secret_access_key = [[b64:40]]", Hit),
    ("secret-aws-secret-key", "cfn/params.json", r#"  "SecretAccessKey": "[[b64:40]]","#, Hit),
    ("secret-aws-secret-key", "ci.yml", "      AWS_SECRET_KEY: '[[b64:40]]'", Hit),
    ("secret-aws-secret-key", ".env.example", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Quiet),
    ("secret-aws-secret-key", "deploy.sh", "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}", Quiet),
    ("secret-aws-secret-key", "src/config.py", r#"aws_secret_access_key = "[[hex:40]]""#, Quiet),
    ("secret-aws-secret-key", "src/lib.rs", r#"let blob = "[[b64:40]]";"#, Quiet),
    // GitHub classic tokens
    ("secret-github-token", ".env", "GITHUB_TOKEN=ghp_[[b62:36]]", Hit),
    ("secret-github-token", "ci/clone.sh", "git clone https://x-access-token:ghs_[[b62:36]]@github.com/org/repo.git", Hit),
    ("secret-github-token", "config.json", r#"{"token": "gho_[[b62:36]]"}"#, Hit),
    ("secret-github-token", "src/lib.rs", r#"let t = "ghp_[[b62:35]]";"#, Quiet),
    ("secret-github-token", "src/lib.rs", r#"let t = "ghx_[[b62:36]]";"#, Quiet),
    ("secret-github-token", "README.md", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", Quiet),
    // GitHub fine-grained personal access tokens
    ("secret-github-fine-grained-pat", "src/gh.py", r#"token = "github_pat_[[b62:22]]_[[b62:59]]""#, Hit),
    ("secret-github-fine-grained-pat", "run.sh", "export GH_PAT=github_pat_[[b62:22]]_[[b62:59]]", Hit),
    ("secret-github-fine-grained-pat", "src/lib.rs", r#"let x = "github_pat_[[b62:22]]_[[b62:40]]";"#, Quiet),
    ("secret-github-fine-grained-pat", "README.md", "Create a token (it starts with github_pat_) in Settings.", Quiet),
    // GitLab
    ("secret-gitlab-token", ".env", "GITLAB_TOKEN=glpat-[[url:20]]", Hit),
    ("secret-gitlab-token", "runner.toml", r#"  token = "glrt-[[b62:20]]""#, Hit),
    ("secret-gitlab-token", "src/api.py", "private_token = 'glpat-[[b62:26]]'", Hit),
    ("secret-gitlab-token", "src/lib.rs", r#"let x = "glpat-[[b62:19]]";"#, Quiet),
    ("secret-gitlab-token", "README.md", "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx", Quiet),
    ("secret-gitlab-token", "README.md", "export GITLAB_TOKEN=glpat-<your-token>", Quiet),
    // Slack tokens
    ("secret-slack-token", ".env", "SLACK_BOT_TOKEN=xoxb-[[dig:12]]-[[dig:13]]-[[b62:24]]", Hit),
    ("secret-slack-token", "config.yml", "slack_user_token: xoxp-[[dig:11]]-[[dig:11]]-[[dig:13]]-[[hex:32]]", Hit),
    ("secret-slack-token", "legacy.json", r#"  "slack": "xoxs-[[dig:10]]-[[dig:10]]-[[dig:10]]-[[hex:64]]","#, Hit),
    ("secret-slack-token", "app.py", r#"client = WebClient(token="xoxa-2-[[b62:40]]")"#, Hit),
    ("secret-slack-token", "README.md", "SLACK_BOT_TOKEN=xoxb-your-bot-token", Quiet),
    ("secret-slack-token", "docs/slack.md", "SLACK_BOT_TOKEN=xoxb-000000000000-000000000000-xxxxxxxxxxxxxxxxxxxxxxxx", Quiet),
    ("secret-slack-token", "docs/slack.md", "Bot tokens start with xoxb-, user tokens with xoxp-.", Quiet),
    // Slack webhooks
    ("secret-slack-webhook", ".env", "SLACK_WEBHOOK=https://hooks.slack.com/services/T[[B36:8]]/B[[B36:8]]/[[b62:24]]", Hit),
    ("secret-slack-webhook", "alerts.yml", r#"  url: "https://hooks.slack.com/services/T[[B36:10]]/B[[B36:11]]/[[b62:24]]""#, Hit),
    ("secret-slack-webhook", "docs/alerts.md", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", Quiet),
    ("secret-slack-webhook", "docs/alerts.md", "Post to https://hooks.slack.com/services/… (see Slack docs)", Quiet),
    ("secret-slack-webhook", "src/notify.py", r#"URL = "https://hooks.slack.com/services/T123/B456/abc""#, Quiet),
    // Stripe
    ("secret-stripe-key", ".env", "STRIPE_SECRET_KEY=sk_live_[[b62:24]]", Hit),
    ("secret-stripe-key", "config/stripe.rb", r#"Stripe.api_key = "rk_live_[[b62:99]]""#, Hit),
    ("secret-stripe-key", ".env.test", "STRIPE_SECRET_KEY=sk_test_[[b62:24]]", Quiet),
    ("secret-stripe-key", "web/checkout.js", r#"const stripe = Stripe("pk_live_[[b62:24]]");"#, Quiet),
    ("secret-stripe-key", "src/pay.js", r#"const key = "sk_live_" + process.env.STRIPE_KEY;"#, Quiet),
    ("secret-stripe-key", "src/lib.rs", r#"let k = "sk_live_[[b62:20]]";"#, Quiet),
    // Google API keys
    ("secret-google-api-key", "web/firebase.js", r#"const firebaseConfig = { apiKey: "AIza[[url:35]]" };"#, Hit),
    ("secret-google-api-key", ".env", "GOOGLE_MAPS_KEY=AIza[[url:35]]", Hit),
    ("secret-google-api-key", "src/lib.rs", r#"let k = "AIza[[url:34]]";"#, Quiet),
    ("secret-google-api-key", "README.md", "GOOGLE_API_KEY=AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", Quiet),
    ("secret-google-api-key", "README.md", "Google API keys start with AIza and are 39 characters long.", Quiet),
    // Azure storage account keys
    ("secret-azure-storage-key", "appsettings.json", r#"  "Storage": "DefaultEndpointsProtocol=https;AccountName=prodstore;AccountKey=[[b64:86]]==;EndpointSuffix=core.windows.net""#, Hit),
    ("secret-azure-storage-key", "local.settings.json", "AccountName=x;AccountKey=[[b64:86]]==", Hit),
    ("secret-azure-storage-key", "docker-compose.yml", "AZURE=AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;", Quiet),
    ("secret-azure-storage-key", "README.md", "AccountName=<name>;AccountKey=<storage-account-key>", Quiet),
    ("secret-azure-storage-key", "src/lib.rs", r#"let c = "AccountKey=[[b64:40]]==";"#, Quiet),
    // SendGrid
    ("secret-sendgrid-key", ".env", "SENDGRID_API_KEY=SG.[[url:22]].[[url:43]]", Hit),
    ("secret-sendgrid-key", "mail.js", r#"sg.setApiKey("SG.[[url:22]].[[url:43]]");"#, Hit),
    ("secret-sendgrid-key", "README.md", "SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", Quiet),
    ("secret-sendgrid-key", "mail.js", "msg.send(args.payload); sg.send(msg);", Quiet),
    ("secret-sendgrid-key", "src/lib.rs", r#"let k = "SG.[[url:22]].[[url:20]]";"#, Quiet),
    // Twilio API keys
    ("secret-twilio-api-key", ".env", "TWILIO_API_KEY=SK[[hex:32]]", Hit),
    ("secret-twilio-api-key", "sms.py", r#"client = Client("SK[[hex:32]]", api_secret, account_sid)"#, Hit),
    ("secret-twilio-api-key", "src/lib.rs", r#"let k = "SK[[hex:31]]";"#, Quiet),
    ("secret-twilio-api-key", "shop.py", r#"sku = "SK[[hex:16]]""#, Quiet),
    ("secret-twilio-api-key", "src/lib.rs", r#"let k = "sk[[hex:32]]";"#, Quiet),
    // Twilio auth tokens
    ("secret-twilio-auth-token", ".env", "TWILIO_AUTH_TOKEN=[[hex:32]]", Hit),
    ("secret-twilio-auth-token", "sms.py", r#"client = twilio.rest.Client("AC[[hex:32]]", "[[hex:32]]")"#, Hit),
    ("secret-twilio-auth-token", ".env", "TWILIO_ACCOUNT_SID=AC[[hex:32]]", Quiet),
    ("secret-twilio-auth-token", "README.md", "TWILIO_AUTH_TOKEN=your_auth_token", Quiet),
    ("secret-twilio-auth-token", "sms.py", r#"twilio_auth_token = os.environ["TWILIO_AUTH_TOKEN"]"#, Quiet),
    // npm
    ("secret-npm-token", ".npmrc", "//registry.npmjs.org/:_authToken=npm_[[b62:36]]", Hit),
    ("secret-npm-token", ".github/workflows/publish.yml", "  NPM_TOKEN: npm_[[b62:36]]", Hit),
    ("secret-npm-token", ".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}", Quiet),
    ("secret-npm-token", "Makefile", "npm_config_cache=/tmp/npm-cache npm ci", Quiet),
    ("secret-npm-token", "src/lib.rs", r#"let t = "npm_[[b62:35]]";"#, Quiet),
    // PyPI
    ("secret-pypi-token", ".pypirc", "password = pypi-AgEIcHlwaS5vcmc[[url:70]]", Hit),
    ("secret-pypi-token", ".env", "PYPI_TOKEN=pypi-AgEIcHlwaS5vcmc[[url:120]]", Hit),
    ("secret-pypi-token", "docs/release.md", "PyPI tokens look like pypi-AgEIcHlwaS5vcmc…", Quiet),
    ("secret-pypi-token", ".pypirc", "username = __token__", Quiet),
    // DigitalOcean
    ("secret-digitalocean-token", ".env", "DIGITALOCEAN_TOKEN=dop_v1_[[hex:64]]", Hit),
    ("secret-digitalocean-token", "terraform.tfvars", r#"do_token = "doo_v1_[[hex:64]]""#, Hit),
    ("secret-digitalocean-token", "src/lib.rs", r#"let t = "dop_v1_[[hex:63]]";"#, Quiet),
    ("secret-digitalocean-token", "README.md", "DIGITALOCEAN_TOKEN=dop_v1_<token>", Quiet),
    // Shopify
    ("secret-shopify-token", ".env", "SHOPIFY_ACCESS_TOKEN=shpat_[[hex:32]]", Hit),
    ("secret-shopify-token", "shopify.app.toml", r#"shared = "shpss_[[hex:32]]""#, Hit),
    ("secret-shopify-token", "src/lib.rs", r#"let t = "shpat_[[hex:31]]";"#, Quiet),
    ("secret-shopify-token", "README.md", "SHOPIFY_ACCESS_TOKEN=shpat_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", Quiet),
    // Heroku
    ("secret-heroku-api-key", ".env", "HEROKU_API_KEY=[[uuid]]", Hit),
    ("secret-heroku-api-key", "deploy.yml", r#"heroku.api_token: "[[uuid]]""#, Hit),
    ("secret-heroku-api-key", ".env", "HEROKU_APP_ID=[[uuid]]", Quiet),
    ("secret-heroku-api-key", "README.md", "HEROKU_API_KEY=00000000-0000-0000-0000-000000000000", Quiet),
    ("secret-heroku-api-key", "README.md", "HEROKU_API_KEY=your-heroku-api-key", Quiet),
    // OpenAI
    ("secret-openai-key", ".env", "OPENAI_API_KEY=sk-proj-[[url:74]]T3BlbkFJ[[url:74]]", Hit),
    ("secret-openai-key", "bot.py", r#"openai.api_key = "sk-[[b62:20]]T3BlbkFJ[[b62:20]]""#, Hit),
    ("secret-openai-key", "README.md", "OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", Quiet),
    ("secret-openai-key", "README.md", "OPENAI_API_KEY=sk-...", Quiet),
    ("secret-openai-key", "src/lib.rs", r#"let k = "sk-[[b62:20]]T3BlbkFJ[[b62:19]]";"#, Quiet),
    // Anthropic
    ("secret-anthropic-key", ".env", "ANTHROPIC_API_KEY=sk-ant-api03-[[url:93]]AA", Hit),
    ("secret-anthropic-key", "admin.py", r#"admin_key = "sk-ant-admin01-[[url:93]]AA""#, Hit),
    ("secret-anthropic-key", "README.md", "ANTHROPIC_API_KEY=sk-ant-api03-...", Quiet),
    ("secret-anthropic-key", "src/lib.rs", r#"let k = "sk-ant-api03-[[url:80]]AA";"#, Quiet),
    ("secret-anthropic-key", "README.md", "ANTHROPIC_API_KEY=sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAA", Quiet),
    // JWT
    ("secret-jwt", "api.http", "Authorization: Bearer eyJ[[url:30]].eyJ[[url:60]].[[url:43]]", Hit),
    ("secret-jwt", "src/client.ts", r#"const token = "eyJ[[url:20]].eyJ[[url:40]].[[url:86]]";"#, Hit),
    ("secret-jwt", "docs/auth.md", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", Quiet),
    ("secret-jwt", "test/jwt.rs", r#"let unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjMifQ.";"#, Quiet),
    ("secret-jwt", "README.rst", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg", Quiet),
    ("secret-jwt", "src/jwt.rs", r#"let header = "eyJ[[url:20]]";"#, Quiet),
    // PEM private keys
    ("secret-private-key", "deploy/server.key", "-----BEGIN RSA PRIVATE KEY-----", Hit),
    ("secret-private-key", "gcp/sa.json", r#"  "private_key": "-----BEGIN PRIVATE KEY-----\nMII[[b64:60]]\n","#, Hit),
    ("secret-private-key", "k8s/secret.yml", "    -----BEGIN EC PRIVATE KEY-----", Hit),
    ("secret-private-key", "src/pem.rs", r#"const HEADER: &str = "-----BEGIN RSA PRIVATE KEY-----";"#, Quiet),
    ("secret-private-key", "certs/server.pub", "-----BEGIN PUBLIC KEY-----", Quiet),
    ("secret-private-key", "certs/server.crt", "-----BEGIN CERTIFICATE-----", Quiet),
    ("secret-private-key", "deploy/server.key", "-----END RSA PRIVATE KEY-----", Quiet),
    ("secret-private-key", "docs/tls.md", r#"key: "-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----""#, Quiet),
    // OpenSSH private keys
    ("secret-openssh-private-key", "deploy/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----", Hit),
    ("secret-openssh-private-key", "ci/vars.yml", r#"ssh_key: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA[[b64:40]]\n""#, Hit),
    ("secret-openssh-private-key", "src/ssh.ts", r#"if (pem.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----")) {"#, Quiet),
    ("secret-openssh-private-key", "keys/deploy.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[[b64:43]] deploy@ci", Quiet),
    ("secret-openssh-private-key", "authorized_keys", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ[[b64:200]] admin@bastion", Quiet),
    // PGP private keys
    ("secret-pgp-private-key", "release/signing.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----", Hit),
    ("secret-pgp-private-key", "ci/secrets.json", r#"  "gpg": "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQdGBF[[b64:60]]\n","#, Hit),
    ("secret-pgp-private-key", "KEYS", "-----BEGIN PGP PUBLIC KEY BLOCK-----", Quiet),
    ("secret-pgp-private-key", "release/SHA256SUMS.asc", "-----BEGIN PGP SIGNATURE-----", Quiet),
    ("secret-pgp-private-key", "tests/gpg.rs", r#"assert!(armored.starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"));"#, Quiet),
    // Credentials in URLs
    ("secret-url-credentials", ".env", "DATABASE_URL=postgres://app:[[b62:20]]@db.internal:5432/app", Hit),
    ("secret-url-credentials", "worker.py", r#"BROKER = "amqp://svc:[[b62:16]]@rabbit.prod.internal/vhost""#, Hit),
    ("secret-url-credentials", "settings.py", r#"CACHE = "redis://:[[b62:24]]@cache:6379/0""#, Hit),
    ("secret-url-credentials", ".env.example", "DATABASE_URL=postgres://user:password@localhost/db", Quiet),
    ("secret-url-credentials", "README.md", "MONGO_URL=mongodb+srv://admin:<password>@cluster0.mongodb.net/app", Quiet),
    ("secret-url-credentials", "db.js", "const url = `postgres://${DB_USER}:${DB_PASS}@${DB_HOST}/app`;", Quiet),
    ("secret-url-credentials", "README.md", "curl https://user:***@api.internal/v1", Quiet),
    ("secret-url-credentials", "db.py", r#"url = f"postgresql://{user}:{password}@{host}/{db}""#, Quiet),
    ("secret-url-credentials", "README.md", "See https://alice:[[b62:12]]@example.com/ for the format.", Quiet),
    ("secret-url-credentials", "db.go", r#"dsn := fmt.Sprintf("postgres://%s:%s@%s/app", u, p, h)"#, Quiet),
    ("secret-url-credentials", "src/url.rs", "/// Expected format: scheme://[user[:password]@]host[:port]/path", Quiet),
    // Generic assignments
    ("secret-generic", ".env", "DB_PASSWORD=[[pw:20]]", Hit),
    ("secret-generic", "config.json", r#"  "client_secret": "[[b62:32]]","#, Hit),
    ("secret-generic", "src/api.py", "api_key = '[[b62:40]]'", Hit),
    ("secret-generic", "config.yml", "auth_token: [[b62:24]]", Hit),
    ("secret-generic", "src/Db.kt", r#"val password: String = "[[pw:18]]""#, Hit),
    ("secret-generic", "src/db.go", r#"dbPassword := "[[pw:20]]""#, Hit),
    ("secret-generic", "src/client.py", r#"URL = "https://api.acme.io/v1/items?access_token=[[b62:32]]&page=2""#, Hit),
    ("secret-generic", "deploy/env.sh", "export SERVICE_TOKEN=[[b62:32]]  # rotated monthly", Hit),
    ("secret-generic", ".env", "SMTP_PASSWORD=[[b62:8]]&[[pw:12]]", Hit),
    ("secret-generic", "settings.py", r#"password = os.environ["DB_PASSWORD"]"#, Quiet),
    ("secret-generic", ".github/workflows/ci.yml", "  token: ${GITHUB_TOKEN}", Quiet),
    ("secret-generic", "src/api.py", r#"api_key = "your-api-key-here""#, Quiet),
    ("secret-generic", "config.yml", r#"password: "changeme""#, Quiet),
    ("secret-generic", "release.txt", "secret_sha256 = [[hex:64]]", Quiet),
    ("secret-generic", "deploy.yml", r#"deploy_token_rev = "[[hex:40]]""#, Quiet),
    ("secret-generic", "cache.py", r#"api_key_digest = "[[hex:32]]""#, Quiet),
    ("secret-generic", "models.py", r#"session_token = "[[uuid]]""#, Quiet),
    ("secret-generic", "fixtures/users.yml", r#"password_hash: "$2b$12$[[b64:53]]""#, Quiet),
    ("secret-generic", "config.yml", "use_auth: true", Quiet),
    ("secret-generic", "src/vault.py", r#"token = get_token_from_vault("prod-db-2")"#, Quiet),
    ("secret-generic", "src/app.kt", "val password = config.getPassword()", Quiet),
    ("secret-generic", "templates/app.yml", r#"password: "{{ vault_db_password_2 }}""#, Quiet),
    ("secret-generic", "src/config.ts", "const apiKey = process.env.API_KEY_V2;", Quiet),
    ("secret-generic", "src/Db.java", r#"String password = System.getenv("DB_PASSWORD_2");"#, Quiet),
    ("secret-generic", "settings.py", r#"TOKEN_URL = "https://oauth2.googleapis.com/token""#, Quiet),
    ("secret-generic", "settings.py", "token_url = https://oauth2.googleapis.com/token", Quiet),
    ("secret-generic", "config.yml", "password_file: /run/secrets/db_password_2", Quiet),
    ("secret-generic", "infra.tf", "secret_arn = arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf", Quiet),
    ("secret-generic", "config.py", "token_expires_in = 3600000000000", Quiet),
    ("secret-generic", ".env.example", "PASSWORD=aaaaaaaaaaaaaaaaaaaaa", Quiet),
    ("secret-generic", "config.py", "password = 'short1'", Quiet),
    ("secret-generic", "src/tok.py", "tokenizer = AutoTokenizer.from_pretrained(model_name_v2)", Quiet),
    ("secret-generic", "package.json", r#"  "author": "Jane Doe <jane.doe2@example.com>","#, Quiet),
    ("secret-generic", "auth.py", r#"oauth_client_id = "1234567890-abc.apps.googleusercontent.com""#, Quiet),
    // Code, not literals (found scanning the cargo registry, the Python stdlib and npm).
    ("secret-generic", "src/netlink.rs", "pub const IFLA_INET6_TOKEN: _bindgen_ty_5 = _bindgen_ty_5::IFLA_INET6_TOKEN;", Quiet),
    ("secret-generic", "src/config.rs", "    SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER = ffi::SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, // 3.12.0", Quiet),
    ("secret-generic", "sqlite3.c", "  pGlobal->api.xCreateTokenizer = fts5CreateTokenizer;", Quiet),
    ("secret-generic", "sqlite3.c", "  db->xAuth = (sqlite3_xauth)xAuth;", Quiet),
    ("secret-generic", "lexer.py", "        statetokens = tokendefs[statestack[-1]]", Quiet),
    ("secret-generic", "client.js", "this.socks5ChosenAuthType = constants_1.Socks5Auth.NoAuth", Quiet),
    ("secret-generic", "src/myers.rs", "            token_idx1: token_idx1_forward,", Quiet),
    ("secret-generic", "settings.py", "API_KEY_SETTING = DEPLOY_API_KEY_V2", Quiet),
    ("secret-generic", "docs/oauth.md", "Location: https://client.acme.io/cb#access_token=2YotnFZFEjr1zCsicMWpAA&state=xyz", Quiet),
    ("secret-generic", "docs/oauth.md", ".. _`I-D.ietf-oauth-v2-bearer`: https://tools.ietf.org/html/rfc6749#section-12.2", Quiet),
    ("secret-generic", "README.md", "[![Coverage](https://codecov.io/gh/o/r/graph/badge.svg?token=3KA3R2D9fV)](https://codecov.io/gh/o/r)", Quiet),
    // False positives that no rule may report, whatever their context.
    ("secret-generic", "src/ids.rs", "let id = [[uuid]];", Quiet),
    ("secret-generic", "CHANGELOG.md", "Fixed in commit [[hex:40]].", Quiet),
    ("secret-generic", "SHA256SUMS", "[[hex:64]]  git-zen-x86_64.tar.gz", Quiet),
    ("secret-generic", "src/data.json", r#"      "integrity": "sha512-[[b64:86]]==","#, Quiet),
];

fn cases() -> Vec<(&'static str, &'static str, String, Expect)> {
    CORPUS
        .iter()
        .enumerate()
        .map(|(i, &(rule, path, template, expect))| {
            (rule, path, expand(template, i as u64 + 1), expect)
        })
        .collect()
}

/// What went wrong with one case, if anything.
fn check_case(rule: &str, path: &str, line: &str, expect: Expect) -> Result<(), String> {
    let hits = scan_all(path, line);
    let got: BTreeSet<&str> = hits.iter().map(|h| h.rule.as_str()).collect();
    let want: BTreeSet<&str> = match expect {
        Hit => BTreeSet::from([rule]),
        HitAlso(others) => std::iter::once(rule)
            .chain(others.iter().copied())
            .collect(),
        Quiet => BTreeSet::new(),
    };
    if got != want {
        return Err(format!(
            "{rule} {expect:?}: {path}: {line}\n    got {hits:?}"
        ));
    }
    for hit in &hits {
        check_mask(line, hit)?;
    }
    Ok(())
}

/// The masked value shows at most 4 characters, and those are the secret's first ones.
fn check_mask(line: &str, hit: &SecretHit) -> Result<(), String> {
    let (head, tail) = hit
        .masked
        .split_once('…')
        .ok_or_else(|| format!("mask without …: {hit:?}"))?;
    let len: usize = tail
        .trim_start_matches('(')
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("mask without a length: {hit:?}"))?;
    let start = hit.column as usize - 1;
    let secret = line
        .get(start..start + len)
        .ok_or_else(|| format!("secret out of the line: {hit:?}"))?;
    if head.chars().count() > 4 || !secret.starts_with(head) || (len < 8 && !head.is_empty()) {
        return Err(format!(
            "mask reveals too much or the wrong thing: {hit:?} for {secret:?}"
        ));
    }
    Ok(())
}

#[test]
fn corpus_positives_are_reported_by_exactly_their_rule() {
    let failures: Vec<String> = cases()
        .into_iter()
        .filter(|c| c.3 != Quiet)
        .filter_map(|(rule, path, line, expect)| check_case(rule, path, &line, expect).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} positive(s) wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_negatives_are_reported_by_no_rule() {
    let failures: Vec<String> = cases()
        .into_iter()
        .filter(|c| c.3 == Quiet)
        .filter_map(|(rule, path, line, expect)| check_case(rule, path, &line, expect).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} negative(s) reported:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_table_per_rule() {
    // rule -> (positives caught, positives, negatives quiet, negatives)
    let mut table: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut failures = Vec::new();
    for (rule, path, line, expect) in cases() {
        let result = check_case(rule, path, &line, expect);
        let row = table.entry(rule).or_default();
        let (ok, total) = if expect == Quiet { (2, 3) } else { (0, 1) };
        row[total] += 1;
        match result {
            Ok(()) => row[ok] += 1,
            Err(e) => failures.push(e),
        }
    }
    eprintln!("{:<32} {:>10} {:>10}", "rule", "caught", "quiet");
    for (rule, [caught, positives, quiet, negatives]) in &table {
        eprintln!(
            "{rule:<32} {:>10} {:>10}",
            format!("{caught}/{positives}"),
            format!("{quiet}/{negatives}")
        );
    }
    let sum = |i: usize| table.values().map(|r| r[i]).sum::<usize>();
    eprintln!(
        "{:<32} {:>10} {:>10}",
        "total",
        format!("{}/{}", sum(0), sum(1)),
        format!("{}/{}", sum(2), sum(3))
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn builtin_rules_are_complete_and_compile() {
    let file: toml::Table = toml::from_str(POLICY).expect("parses");
    for rule in file["rule"].as_array().expect("rules") {
        if rule.get("kind").and_then(|k| k.as_str()) != Some("secrets") {
            continue;
        }
        let id = rule["id"].as_str().expect("id");
        assert!(id.starts_with("secret-"), "`{id}`");
        assert_eq!(
            rule.get("severity").and_then(|s| s.as_str()),
            Some("error"),
            "`{id}`"
        );
        assert!(
            rule.get("message")
                .and_then(|s| s.as_str())
                .is_some_and(|m| m.len() > 30),
            "`{id}`"
        );
        let keywords = rule["keywords"].as_array().expect("keywords");
        for keyword in keywords {
            let keyword = keyword.as_str().expect("string");
            assert_eq!(
                keyword,
                keyword.to_ascii_lowercase(),
                "`{id}`: keywords are lowercase"
            );
        }
        assert!(
            !keywords.is_empty(),
            "`{id}`: a built-in rule without keywords would be slow"
        );
    }
    scanner()
        .compile_all()
        .expect("every built-in regex and glob compiles");
    assert!(scanner().len() >= 20 && !scanner().is_empty());
}

#[test]
fn the_allow_marker_suppresses_a_line() {
    let token = expand("ghp_[[b62:36]]", 7);
    assert_eq!(scan_all("a.sh", &format!("GITHUB_TOKEN={token}")).len(), 1);
    assert!(
        scan_all(
            "a.sh",
            &format!("GITHUB_TOKEN={token} # zen:allow-secret test fixture")
        )
        .is_empty()
    );
}

#[test]
fn only_added_lines_are_reported_with_their_line_and_column() {
    let token = expand("ghp_[[b62:36]]", 8);
    let content = format!("a = 1\r\nt1 = {token}\r\nt2 = {token}\r\n\r\nx = \"{token}\"\n");
    let mut out = Vec::new();
    scanner().scan("src/a.py", content.as_bytes(), &|line| line != 3, &mut out);
    let places: Vec<(u32, u32)> = out.iter().map(|h| (h.line, h.column)).collect();
    assert_eq!(places, [(2, 6), (5, 6)]);
    assert!(
        out.iter()
            .all(|h| h.rule == "secret-github-token" && h.masked == "ghp_…(40 chars)")
    );

    out.clear();
    scanner().scan("src/a.py", content.as_bytes(), &|_| false, &mut out);
    assert!(out.is_empty());
}

#[test]
fn several_secrets_on_one_line_and_keywords_on_many_lines() {
    let a = expand("ghp_[[b62:36]]", 9);
    let b = expand("AKIA[[b32:16]]", 10);
    let mut content = String::new();
    for i in 0..50 {
        content.push_str(&format!("let token_{i} = lookup(\"secret\"); // auth\n"));
    }
    content.push_str(&format!("pair = ({a}, {a}) and {b}\n"));
    let hits = scan_all("src/x.rs", &content);
    let found: Vec<(&str, u32, u32)> = hits
        .iter()
        .map(|h| (h.rule.as_str(), h.line, h.column))
        .collect();
    assert_eq!(
        found,
        [
            ("secret-aws-access-key", 51, 97),
            ("secret-github-token", 51, 9),
            ("secret-github-token", 51, 51),
        ]
    );
}

#[test]
fn a_globally_allowed_path_is_not_reported() {
    let token = expand("ghp_[[b62:36]]", 11);
    let line = format!(r#"      "resolved": "https://x-access-token:{token}@github.com/o/r.git","#);
    assert_eq!(scan_all("web/package.json", &line).len(), 1);
    assert!(scan_all("web/package-lock.json", &line).is_empty());
    assert!(scan_all("package-lock.json", &line).is_empty());
    let integrity = expand(r#"      "integrity": "sha512-[[b64:86]]==","#, 12);
    assert!(scan_all("package-lock.json", &integrity).is_empty());
    assert!(
        scan_all(
            "web/yarn.lock",
            &format!("  integrity sha512-{}", expand("[[b64:86]]==", 13))
        )
        .is_empty()
    );
}

fn spec(keywords: &[&str], regex: &str) -> SecretsSpec {
    SecretsSpec {
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
        regex: regex.to_owned(),
        secret_group: None,
        entropy: None,
        allowlist: Allowlist::default(),
        near: None,
    }
}

#[test]
fn bad_patterns_name_the_rule() {
    let bad_regex = Scanner::new(
        vec![("my-rule".into(), spec(&["k"], "key=([a-z"))],
        &Allowlist::default(),
    );
    let message = bad_regex.expect_err("bad regex").to_string();
    assert!(
        message.starts_with("rule `my-rule`: invalid regex `key=([a-z`: "),
        "{message}"
    );

    let mut with_bad_glob = spec(&["k"], "k");
    with_bad_glob.allowlist.paths = vec!["src/[".into()];
    let message = Scanner::new(
        vec![("globby".into(), with_bad_glob)],
        &Allowlist::default(),
    )
    .expect_err("bad glob")
    .to_string();
    assert!(
        message.starts_with("rule `globby`: invalid allowlist glob `src/[`"),
        "{message}"
    );

    let mut with_bad_allow_regex = spec(&["k"], "k");
    with_bad_allow_regex.allowlist.regexes = vec!["line:(".into()];
    let message = Scanner::new(
        vec![("allowy".into(), with_bad_allow_regex)],
        &Allowlist::default(),
    )
    .expect_err("bad allowlist regex")
    .to_string();
    assert!(
        message.starts_with("rule `allowy`: invalid allowlist regex `line:(`"),
        "{message}"
    );

    let global = Allowlist {
        regexes: vec!["a{".into()],
        ..Allowlist::default()
    };
    let message = Scanner::new(vec![], &global)
        .expect_err("bad global regex")
        .to_string();
    assert!(
        message.starts_with("[secrets.allowlist]: invalid regex `a{`"),
        "{message}"
    );

    let mut with_bad_group = spec(&["k"], r"k(?:x)(?P<v>[a-z]+)[(]");
    with_bad_group.secret_group = Some(2);
    let message = Scanner::new(
        vec![("grouped".into(), with_bad_group)],
        &Allowlist::default(),
    )
    .expect_err("bad group")
    .to_string();
    assert!(
        message
            .starts_with("rule `grouped`: secret_group = 2, but the regex has 1 capture group(s)"),
        "{message}"
    );

    let message = Scanner::new(
        vec![("empty".into(), spec(&[""], "k"))],
        &Allowlist::default(),
    )
    .expect_err("empty keyword")
    .to_string();
    assert!(
        message.starts_with("rule `empty`: keyword \"\" is empty"),
        "{message}"
    );
}

#[test]
fn parentheses_are_read() {
    let groups = |p: &str| parens(p).groups;
    assert_eq!(groups("abc"), 0);
    assert_eq!(groups("(a)(b)"), 2);
    assert_eq!(groups(r"(?:a)(?P<x>b)(?<y>c)(?i)(?i:d)"), 2);
    assert_eq!(groups(r"\(a\)[(][^)(]"), 0);
    assert_eq!(groups(r"[]()][^]()]((x))"), 2);
    assert_eq!(groups(r"[[:alpha:](](y)"), 1);
    assert!(parens(r"(a(b)[)])\)").balanced);
    assert!(!parens("a)|(b").balanced);
    assert!(!parens("(a").balanced);
    assert!(
        check_regex("a)|(b").is_err(),
        "the anchored wrapper must not make it valid"
    );
    assert!(check_regex(r"abc\").is_err());
    assert!(check_regex(r"(?x) a # comment with )").is_ok());
    assert!(check_regex(r"(?i-u)\bkey\s*=\s*(\w+)").is_ok());
}

#[test]
fn rules_with_groups_entropy_allowlists_and_no_keywords() {
    let mut explicit = spec(&["key"], r"(?i)(key)=([A-Za-z0-9]+)");
    explicit.secret_group = Some(2);
    explicit.entropy = Some(3.0);
    explicit.allowlist = Allowlist {
        paths: vec!["**/fixtures/**".into()],
        regexes: vec!["^Allowed".into(), "line:# docs".into()],
        stopwords: vec!["TESTONLY".into()],
    };
    let mut whole = spec(&[], r"(?-u)tok[0-9]{8}");
    whole.entropy = Some(2.0);
    let scanner = Scanner::new(
        vec![("explicit".into(), explicit), ("every-line".into(), whole)],
        &Allowlist {
            stopwords: vec!["zzzz".into()],
            ..Allowlist::default()
        },
    )
    .expect("compiles");
    scanner.compile_all().expect("compiles");
    let scan = |path: &str, text: &str| {
        let mut out = Vec::new();
        scanner.scan(path, text.as_bytes(), &|_| true, &mut out);
        out.into_iter()
            .map(|h| (h.rule, h.column, h.masked))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        scan("a", "KEY=Qw3rTy9Zx"),
        [("explicit".to_owned(), 5, "Qw3r…(9 chars)".to_owned())]
    );
    assert!(scan("a", "KEY=aaaabbbb").is_empty(), "entropy 1 < 3");
    assert!(
        scan("src/fixtures/k.txt", "KEY=Qw3rTy9Zx").is_empty(),
        "rule path"
    );
    assert!(scan("a", "KEY=AllowedQw3rTy9").is_empty(), "rule regex");
    assert!(
        scan("a", "KEY=Qw3rTy9Zx # docs").is_empty(),
        "rule line regex"
    );
    assert!(
        scan("a", "KEY=Qw3testonlyTy9").is_empty(),
        "rule stopword, any case"
    );
    assert!(scan("a", "KEY=Qw3rZZZZTy9").is_empty(), "global stopword");
    assert_eq!(
        scan("a", "x tok31415926 y"),
        [("every-line".to_owned(), 3, "tok3…(11 chars)".to_owned())]
    );
    assert!(
        scan("a", "x tok00000000 y").is_empty(),
        "mostly one character"
    );
}

#[test]
fn an_earlier_rule_owns_overlapping_text() {
    let scanner = Scanner::new(
        vec![
            ("specific".into(), spec(&["tok_"], r"tok_[a-z0-9]{8}")),
            ("generic".into(), spec(&["secret"], r"secret=(\S+)")),
        ],
        &Allowlist {
            stopwords: vec!["example".into()],
            ..Allowlist::default()
        },
    )
    .expect("compiles");
    let rules = |text: &str| {
        let mut out = Vec::new();
        scanner.scan("a", text.as_bytes(), &|_| true, &mut out);
        out.into_iter().map(|h| h.rule).collect::<Vec<_>>()
    };
    assert_eq!(rules("secret=tok_a1b2c3d4"), ["specific"]);
    assert_eq!(rules("secret=Zq81-Yy7d"), ["generic"]);
    // The specific rule's allowlist drops its own example, and the generic rule does not
    // report it instead.
    assert!(rules("secret=tok_example").is_empty());
}

#[test]
fn masks_reveal_at_most_four_characters() {
    assert_eq!(mask(b"AKIAIOSFODNN7EXAMPLE"), "AKIA…(20 chars)");
    assert_eq!(mask(b"hunter2"), "…(7 chars)");
    assert_eq!(mask(b"x"), "…(1 char)");
    assert_eq!(mask(b""), "…(0 chars)");
    assert_eq!(mask(b"12345678"), "1234…(8 chars)");
    assert_eq!(mask("pässwörter".as_bytes()), "päss…(10 chars)");
    assert_eq!(mask(b"\x1b[31mabcdef"), "?[31…(11 chars)");
}

#[test]
fn crc32_is_the_zlib_one() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    let token = expand("[[ghcrc]]", 5);
    assert_eq!(token.len(), 36);
}

#[test]
fn entropy_in_bits_per_character() {
    assert_eq!(shannon_entropy(b""), 0.0);
    assert_eq!(shannon_entropy(b"aaaa"), 0.0);
    assert!((shannon_entropy(b"abab") - 1.0).abs() < 1e-12);
    assert!((shannon_entropy(b"0123456789abcdef") - 4.0).abs() < 1e-12);
    let random = expand("[[b62:40]]", 3);
    assert!(shannon_entropy(random.as_bytes()) > 4.5);
}

/// Throughput on source-like text: synthetic lines with a sprinkling of keyword hits and planted
/// secrets, and this crate's own sources (without this module, whose corpus is all secrets)
/// repeated. Prints; never asserts on time. Size from `ZEN_SECRETS_THROUGHPUT_MB` (default 2);
/// for a real number run
///
/// `ZEN_SECRETS_THROUGHPUT_MB=100 cargo test --release --lib policy::secrets::tests::throughput -- --nocapture`
#[test]
fn throughput() {
    let megabytes: usize = std::env::var("ZEN_SECRETS_THROUGHPUT_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let target = megabytes * 1_000_000;
    let lines = [
        "    let mut buffer = Vec::with_capacity(config.initial_capacity);",
        "    for (index, item) in items.iter().enumerate() {",
        "        if item.is_empty() { continue; }",
        "    // Compute the offsets of each record before writing the index file.",
        "fn parse_header(input: &[u8]) -> Result<Header, ParseError> {",
        "    }",
        "",
        "import os, sys, json  # standard library only",
        "def load_settings(path: str) -> dict:",
        "        return json.load(handle)",
        "    const response = await fetch(`${baseUrl}/api/v2/items?page=${page}`);",
        "    <div className=\"sidebar\">{children}</div>",
        "  name: build-and-test",
        "    self.assertEqual(result.status_code, 200, msg=response.text)",
        "    tokenizer = AutoTokenizer.from_pretrained(model_name)",
        "    password = os.environ[\"DB_PASSWORD\"]",
        "    // See https://docs.rs/regex/latest/regex/ for the syntax.",
        "    author = \"Jane Doe\"",
        "    let secret_name = format!(\"{prefix}-db\");",
    ];
    let secret_lines = [
        expand("GITHUB_TOKEN=ghp_[[b62:36]]", 1),
        expand("api_key = '[[b62:40]]'", 2),
    ];
    let mut synthetic = String::with_capacity(target + 200);
    let mut fake = Fake(42);
    let mut planted = 0;
    while synthetic.len() < target {
        let r = fake.next();
        if r.is_multiple_of(5000) {
            synthetic.push_str(&secret_lines[planted % 2]);
            planted += 1;
        } else {
            synthetic.push_str(lines[usize::try_from(r % lines.len() as u64).expect("index")]);
        }
        synthetic.push('\n');
    }
    let mut sources = String::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("walk src");
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "rs")
            && !path
                .strip_prefix(&root)
                .is_ok_and(|p| p.starts_with("policy/secrets"))
        {
            sources.push_str(&std::fs::read_to_string(path).expect("read source"));
        }
    }
    let real = sources.repeat(target / sources.len().max(1) + 1);

    let (rules, global) = builtin();
    let started = Instant::now();
    let fresh = Scanner::new(rules, &global).expect("compiles");
    let built = started.elapsed();
    let started = Instant::now();
    let mut out = Vec::new();
    fresh.scan(
        "src/small.rs",
        secret_lines[0].as_bytes(),
        &|_| true,
        &mut out,
    );
    let first_small = started.elapsed();
    eprintln!(
        "secrets start-up: Scanner::new {:.0} µs; first scan of a one-line change {:.0} µs",
        built.as_secs_f64() * 1e6,
        first_small.as_secs_f64() * 1e6,
    );

    for (name, content) in [("synthetic", &synthetic), ("crate sources", &real)] {
        let mut out = Vec::new();
        let started = Instant::now();
        scanner().scan("src/big.rs", content.as_bytes(), &|_| true, &mut out);
        let elapsed = started.elapsed();
        let mb = content.len() as f64 / 1e6;
        eprintln!(
            "secrets throughput, {name}: {mb:.1} MB in {:.1} ms = {:.0} MB/s; {} findings",
            elapsed.as_secs_f64() * 1e3,
            mb / elapsed.as_secs_f64(),
            out.len(),
        );
        if name == "synthetic" {
            assert_eq!(out.len(), planted);
        }
    }
}

#[test]
fn the_dfa_built_for_big_scans_finds_what_the_nfa_finds() {
    let (rules, global) = builtin();
    let fresh = Scanner::new(rules, &global).expect("compiles");
    let content: String = cases()
        .iter()
        .filter(|c| c.3 != Quiet)
        .map(|c| format!("{}\n", c.2))
        .collect();
    let scan = |content: &str| {
        let mut out = Vec::new();
        fresh.scan("src/all.txt", content.as_bytes(), &|_| true, &mut out);
        out
    };
    let with_nfa = scan(&content);
    let keywords = fresh.keywords.as_ref().expect("keywords");
    assert!(keywords.dfa.get().is_none());
    assert!(scan(&"plain words and no keys at all\n".repeat(20_000)).is_empty());
    let with_dfa = scan(&content);
    assert!(
        keywords.dfa.get().is_some_and(Option::is_some),
        "the DFA was built"
    );
    assert_eq!(with_nfa, with_dfa);
    assert!(with_nfa.len() >= CORPUS.iter().filter(|c| c.3 != Quiet).count());
}

#[test]
fn a_scanner_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Scanner>();
    let token = expand("npm_[[b62:36]]", 14);
    let found: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| s.spawn(|| scan_all(".npmrc", &format!("t={token}")).len()))
            .collect();
        workers.into_iter().map(|w| w.join().expect("worker")).sum()
    });
    assert_eq!(found, 4);
}

#[test]
fn added_is_asked_only_about_lines_the_file_has() {
    let scanner = Scanner::new(
        vec![("every-line".into(), spec(&[], "tok[0-9]{8}"))],
        &Allowlist::default(),
    )
    .expect("compiles");
    let asked = std::cell::RefCell::new(Vec::new());
    let mut out = Vec::new();
    let added = |line: u32| {
        asked.borrow_mut().push(line);
        true
    };
    scanner.scan("a", b"one tok31415926\ntwo\n", &added, &mut out);
    assert_eq!(*asked.borrow(), [1, 2]);
    assert_eq!(out.len(), 1);
}

#[test]
fn a_composite_rule_reports_only_with_its_partner_nearby_and_once() {
    let mut twin = spec(&["key"], r"(?-u)key: ([0-9a-f]{8})");
    twin.near = Some(super::Near {
        regex: r"(?-u)\bID[0-9]{4}\b".into(),
        lines: 2,
    });
    let scanner = Scanner::new(vec![("secret-pair".into(), twin)], &Allowlist::default()).unwrap();
    let hits = |text: &str, added: &dyn Fn(u32) -> bool| {
        let mut out = Vec::new();
        scanner.scan("a.yml", text.as_bytes(), added, &mut out);
        out.iter().map(|h| h.line).collect::<Vec<_>>()
    };
    assert_eq!(hits("id: ID1234\nkey: 9f8e7d6c\n", &|_| true), [2]);
    assert_eq!(hits("key: 9f8e7d6c\n", &|_| true), Vec::<u32>::new());
    assert_eq!(
        hits("id: ID1234\n\n\n\nkey: 9f8e7d6c\n", &|_| true),
        Vec::<u32>::new()
    );
    // The partner counts on an unchanged line too: the id may have been committed long ago.
    assert_eq!(hits("id: ID1234\nkey: 9f8e7d6c\n", &|line| line == 2), [2]);
}
