//! Languages: each locale's form, the browser's language, and the language tables.

use moov_support::rules::Problem;
use moov_support::ticket::Field;
use moov_support::web::client::SubmitError;
use moov_support::web::embed;
use moov_support::web::i18n::Locale;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

#[wasm_bindgen_test]
async fn each_locale_translates_labels_and_messages_and_arabic_is_rtl() {
    let token = session("locales").await;
    let cases = [
        ("en", "Subject", "Send", "Enter a subject.", "ltr"),
        ("es-MX", "Asunto", "Enviar", "Escribe un asunto.", "ltr"),
        ("fr", "Objet", "Envoyer", "Saisissez un objet.", "ltr"),
        (
            "de-DE",
            "Betreff",
            "Senden",
            "Geben Sie einen Betreff ein.",
            "ltr",
        ),
        ("pt-BR", "Assunto", "Enviar", "Informe um assunto.", "ltr"),
        ("ja", "件名", "送信", "件名を入力してください。", "ltr"),
        ("ar", "الموضوع", "إرسال", "أدخل موضوعًا.", "rtl"),
    ];
    for (locale, subject, send, required, dir) in cases {
        embed::register();
        let host: HtmlElement = document()
            .create_element(embed::TAG)
            .unwrap()
            .unchecked_into();
        for (k, v) in [
            ("endpoint", endpoint().as_str()),
            ("session-token", &token),
            ("locale", locale),
            ("id", &format!("locale-{locale}")),
        ] {
            host.set_attribute(k, v).unwrap();
        }
        let w = Widget::listen(host.clone());
        document().body().unwrap().append_child(&host).unwrap();
        w.wait_text(&format!("the {locale} form"), send).await;
        sleep(30).await;
        assert_eq!(
            w.el("label[for=moov-title]").text_content().unwrap(),
            subject,
            "{locale}"
        );
        assert_eq!(w.el("button.moov-send").text_content().unwrap(), send);
        let root = w.el(".moov-support");
        assert_eq!(root.get_attribute("dir").as_deref(), Some(dir), "{locale}");
        assert_eq!(computed(&root, "direction"), dir, "{locale}");
        w.type_in("title", "");
        w.press_send();
        wait_for(&format!("{locale} error"), || w.error_of("title").is_some()).await;
        assert_eq!(w.error_of("title").as_deref(), Some(required), "{locale}");
        w.remove();
    }
}

#[wasm_bindgen_test]
async fn without_a_locale_the_browser_language_is_used_and_server_errors_stay_as_sent() {
    clear_faults().await;
    let navigator = web_sys::window().unwrap().navigator();
    let languages = js_sys::Array::of2(&"xx-YY".into(), &"de-AT".into());
    let descriptor = object(&[("value", languages.into()), ("configurable", true.into())]);
    js_sys::Reflect::define_property(&navigator, &"languages".into(), &descriptor).unwrap();
    let w = Widget::mount_with(&[
        ("endpoint", &endpoint()),
        ("session-token", &session("browser-language").await),
        ("locale", "zz"),
    ])
    .await;
    js_sys::Reflect::delete_property(&navigator, &"languages".into()).unwrap();
    assert_eq!(
        w.el("label[for=moov-title]").text_content().unwrap(),
        "Betreff"
    );
    w.fill_valid();
    fault(r#"{"status":422,"body":{"title":"Server says no."}}"#).await;
    w.press_send();
    wait_for("server error", || w.error_of("title").is_some()).await;
    assert_eq!(w.error_of("title").as_deref(), Some("Server says no."));
    fault(r#"{"status":500}"#).await;
    w.press_send();
    w.wait_text("translated failure", "Der Support hat gerade Probleme")
        .await;
    w.remove();
}

#[wasm_bindgen_test]
fn i18n_tags_map_to_the_closest_language() {
    assert_eq!(Locale::from_tag("pt-BR"), Some(Locale::PtBr));
    assert_eq!(Locale::from_tag("pt_PT"), Some(Locale::PtBr));
    assert_eq!(Locale::from_tag("es-419"), Some(Locale::Es));
    assert_eq!(Locale::from_tag("AR-eg"), Some(Locale::Ar));
    assert_eq!(Locale::from_tag("zh-CN"), None);
    assert_eq!(Locale::from_tag(""), None);
    assert_eq!(Locale::Ar.dir(), "rtl");
    assert!(Locale::ALL
        .iter()
        .filter(|l| **l != Locale::Ar)
        .all(|l| l.dir() == "ltr"));
}

/// The language files as the release build serves them.
const LANGUAGE_FILES: [(&str, &str); 6] = [
    ("es", include_str!("../../locales/es.json")),
    ("fr", include_str!("../../locales/fr.json")),
    ("de", include_str!("../../locales/de.json")),
    ("pt", include_str!("../../locales/pt.json")),
    ("ja", include_str!("../../locales/ja.json")),
    ("ar", include_str!("../../locales/ar.json")),
];

#[wasm_bindgen_test]
fn i18n_every_language_file_is_read_whole_and_the_loader_knows_it() {
    for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
        let file = locale.file().unwrap();
        let (_, text) = LANGUAGE_FILES
            .iter()
            .find(|(name, _)| *name == file)
            .unwrap_or_else(|| panic!("no locales/{file}.json"));
        // Every key present, none unknown.
        let strings = moov_support::web::i18n::parse(locale, text)
            .unwrap_or_else(|e| panic!("locales/{file}.json: {e}"));
        assert_ne!(strings.send, Locale::En.strings().send, "{file}");
        assert_eq!(locale.strings().send, strings.send, "{file}");
    }
    // The loader requests a language's file early only if it knows the language.
    let mut files: Vec<&str> = Locale::ALL.iter().filter_map(|l| l.file()).collect();
    files.sort_unstable();
    let listed = format!(
        "const LANGUAGES = [{}];",
        files
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(
        include_str!("../../moov-support.js").contains(&listed),
        "moov-support.js should list {listed}"
    );
    // A key missing, one misspelt: both named.
    let missing = moov_support::web::i18n::parse(Locale::Es, r#"{"subject": "Asunto"}"#)
        .unwrap_err()
        .to_string();
    assert!(missing.contains("`message`"), "{missing}");
    let es = LANGUAGE_FILES[0].1.replacen("\"subject\"", "\"subjet\"", 1);
    let misspelt = moov_support::web::i18n::parse(Locale::Es, &es)
        .unwrap_err()
        .to_string();
    assert!(misspelt.contains("`subjet`"), "{misspelt}");
}

/// Every translation keeps the placeholders the form fills in (counted phrases: see
/// `i18n_plural`).
#[wasm_bindgen_test]
fn i18n_translations_keep_their_placeholders() {
    for locale in Locale::ALL {
        let t = locale.strings();
        for (text, placeholder) in [
            (t.created, "{number}"),
            (t.status, "{status}"),
            (t.reference, "{id}"),
            (t.problems.too_long, "{max}"),
            (t.errors.bad_request, "{reason}"),
            (t.errors.conflict, "{reason}"),
            (t.errors.unexpected, "{status}"),
        ] {
            assert!(text.contains(placeholder), "{locale:?}: {text:?}");
        }
        assert!(t
            .submit_error(locale, &SubmitError::RateLimited(Some(7)))
            .contains(['7', '٧']));
        assert!(t
            .problem(&Problem::TooLong { max: 100 }, Field::Name)
            .contains("100"));
    }
}

/// English stays word for word what the rules and the client say, so logs and the UI agree.
#[wasm_bindgen_test]
fn i18n_english_matches_the_core_messages() {
    let t = Locale::En.strings();
    for field in Field::ALL {
        for p in [
            Problem::Required,
            Problem::TooLong { max: 200 },
            Problem::ControlCharacters,
            Problem::InvalidEmail,
            Problem::NoVisibleText,
            Problem::BodyTooLarge,
        ] {
            assert_eq!(t.problem(&p, field), p.message(field));
        }
    }
    for e in [
        SubmitError::BadRequest("why".into()),
        SubmitError::SessionExpired,
        SubmitError::RateLimited(None),
        SubmitError::RateLimited(Some(1)),
        SubmitError::ServerError,
        SubmitError::Network,
        SubmitError::Unexpected(418),
    ] {
        assert_eq!(t.submit_error(Locale::En, &e), e.to_string());
    }
}
