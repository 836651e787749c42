//! The languages the widget speaks: the one list the form, the language files in
//! `locales/`, the loader's early requests and the docs are checked against.
//!
//! Kept out of the browser-only half so native tests can compare the hand-written copies
//! (`moov-support.js`, the README) with it.

/// Declares [`Locale`] and everything that follows from the list: its tags, its files and,
/// with `inline-locales`, the files linked into the widget. One macro, so adding a language
/// is one line and no table can miss it.
macro_rules! languages {
    ($(
        $(#[$doc:meta])*
        $variant:ident: tag $tag:literal, primary $primary:literal, $dir:literal
        $(, file $file:literal)?;
    )*) => {
        /// The languages the widget speaks.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Locale {
            $($(#[$doc])* $variant,)*
        }

        impl Locale {
            pub const ALL: [Locale; [$(stringify!($variant)),*].len()] = [$(Locale::$variant),*];

            /// The tag for the `lang` attribute.
            pub fn tag(self) -> &'static str {
                match self {
                    $(Locale::$variant => $tag,)*
                }
            }

            /// The primary language subtag a browser or partner tag is matched on.
            pub fn primary(self) -> &'static str {
                match self {
                    $(Locale::$variant => $primary,)*
                }
            }

            /// The file in `locales/` that holds this language; `None` for English, which
            /// is built in.
            pub fn file(self) -> Option<&'static str> {
                match self {
                    $(Locale::$variant => None$(.or(Some($file)))?,)*
                }
            }

            /// Writing direction, for the `dir` attribute of the widget's root.
            pub fn dir(self) -> &'static str {
                match self {
                    $(Locale::$variant => $dir,)*
                }
            }

            /// This language's file, linked into the widget with `inline-locales`.
            #[cfg(feature = "inline-locales")]
            pub fn bundled(self) -> Option<&'static str> {
                match self {
                    $(Locale::$variant => None$(.or(Some(include_str!(concat!("../locales/", $file, ".json")))))?,)*
                }
            }

            /// Without `inline-locales` no file is linked in: each is fetched when needed.
            #[cfg(not(feature = "inline-locales"))]
            pub fn bundled(self) -> Option<&'static str> {
                None
            }
        }
    };
}

languages! {
    En: tag "en", primary "en", "ltr";
    Es: tag "es", primary "es", "ltr", file "es";
    Fr: tag "fr", primary "fr", "ltr", file "fr";
    De: tag "de", primary "de", "ltr", file "de";
    /// Brazilian Portuguese is the one written; other Portuguese readers get it too.
    PtBr: tag "pt-BR", primary "pt", "ltr", file "pt";
    Ja: tag "ja", primary "ja", "ltr", file "ja";
    Ar: tag "ar", primary "ar", "rtl", file "ar";
}

impl Locale {
    /// The closest supported language for a BCP 47 tag; `None` when there is none.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let primary = tag.split('-').next().unwrap_or_default();
        Locale::ALL.into_iter().find(|l| l.primary() == primary)
    }
}

#[cfg(test)]
mod language_files;

#[cfg(test)]
mod tests {
    //! The copies of the list that cannot be derived from it: each fails here when it and
    //! [`Locale`] disagree.

    use super::Locale;

    /// The languages that have a file, sorted.
    fn files() -> Vec<&'static str> {
        let mut files: Vec<&str> = Locale::ALL.iter().filter_map(|l| l.file()).collect();
        files.sort_unstable();
        files
    }

    #[test]
    fn locales_folder_holds_exactly_the_language_files() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        found.sort_unstable();
        let expected: Vec<String> = files().iter().map(|f| format!("{f}.json")).collect();
        assert_eq!(found, expected, "locales/ and `Locale` disagree");
    }

    #[test]
    fn the_loader_requests_exactly_the_language_files() {
        let loader = include_str!("../moov-support.js");
        let listed = loader
            .lines()
            .find_map(|l| l.strip_prefix("const LANGUAGES = ["))
            .and_then(|l| l.strip_suffix("];"))
            .expect("moov-support.js declares `const LANGUAGES = [...];` on one line");
        let listed: Vec<&str> = listed
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(
            listed,
            files(),
            "moov-support.js's LANGUAGES and `Locale` disagree"
        );
    }

    #[test]
    fn every_tag_finds_its_own_language() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
            if let Some(file) = locale.file() {
                assert_eq!(
                    file,
                    locale.primary(),
                    "{locale:?}: a file is named by its primary subtag"
                );
            }
        }
        assert_eq!(
            Locale::ALL.iter().filter(|l| l.file().is_none()).count(),
            1,
            "one built-in language"
        );
    }
}
