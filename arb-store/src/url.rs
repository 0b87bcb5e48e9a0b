//! Database URLs in messages: the password is masked where it stands as the password (the
//! `user:password@` part, or a `password=` parameter), and nowhere else.

/// `url` with the password of `scheme://user:password@host…` and the value of any `password=`
/// query parameter replaced by `mask`; everything else as written (a password that happens to
/// equal the user or database name masks only the password).
#[must_use]
pub fn mask_password(url: &str, mask: &str) -> String {
    let url = mask_password_parameter(url, mask);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.clone();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:{mask}@{host}{tail}"),
        None => url,
    }
}

/// The text with the value of every `password=` parameter replaced by `mask`.
fn mask_password_parameter(url: &str, mask: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}={mask}"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// `message` with every occurrence of the whole `url` replaced by its masked form: the password
/// is hidden where the URL shows it, and text elsewhere that happens to equal it is left alone.
#[must_use]
pub fn mask_url_in(message: &str, url: &str) -> String {
    if url.is_empty() {
        return message.to_owned();
    }
    message.replace(url, &mask_password(url, "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_password_is_masked() {
        assert_eq!(
            mask_password("postgres://test:test@db:5432/test", "***"),
            "postgres://test:***@db:5432/test"
        );
        assert_eq!(
            mask_password("postgres://db/arb?user=a&password=s3cr%2Ft", "<redacted>"),
            "postgres://db/arb?user=a&password=<redacted>"
        );
        assert_eq!(mask_password("sqlite://arb.db", "***"), "sqlite://arb.db");
        assert_eq!(
            mask_password("postgres://trader@db/arb", "***"),
            "postgres://trader@db/arb"
        );
    }

    #[test]
    fn a_password_equal_to_the_database_name_does_not_mangle_it() {
        let url = "postgres://postgres:test@127.0.0.1:5432/test";
        assert_eq!(
            mask_url_in(
                &format!("cannot open {url}: database \"test\" does not exist"),
                url
            ),
            "cannot open postgres://postgres:***@127.0.0.1:5432/test: database \"test\" does not exist"
        );
        assert_eq!(
            mask_url_in("database \"test\" missing", url),
            "database \"test\" missing"
        );
    }
}
