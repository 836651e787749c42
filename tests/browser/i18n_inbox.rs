//! "Your requests" in every language the widget speaks.

use moov_support::web::i18n::time::{now, relative};
use moov_support::web::i18n::Locale;

use wasm_bindgen_test::*;

use crate::inbox_support::{file, mount_requests, unique, user_session};

/// "Your requests" drawn in each language: its heading, a row's status in words and its
/// last activity as that language says "now" or "… ago".
#[wasm_bindgen_test]
async fn i18n_the_inbox_speaks_each_language() {
    let user = &unique("inbox-languages");
    let token = user_session(user).await;
    file(&token, user, "Languages", "<p>x</p>").await;
    for locale in Locale::ALL {
        let t = locale.strings();
        let w = mount_requests(&token, &[("locale", locale.tag())]).await;
        w.wait_text(&format!("{locale:?} heading"), t.inbox.your_requests)
            .await;
        let row = w.rows().into_iter().next().expect("the filed request");
        assert!(row.contains(t.inbox.status_new), "{locale:?}: {row}");
        let (before, after) = t.inbox.last_activity.split_once("{when}").unwrap();
        assert!(
            row.contains(before.trim()) && row.contains(after.trim()),
            "{locale:?}: {row}"
        );
        // Filed moments ago: "now" or a few seconds ago, in this language.
        let now = now();
        assert!(
            (0..60).any(|s| row.contains(&relative(locale, now - f64::from(s) * 1000.0, now))),
            "{locale:?}: {row}"
        );
        w.remove();
    }
}
