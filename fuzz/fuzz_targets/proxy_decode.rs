//! The proxy's reading of a ticket request body: any bytes give a ticket or a 400, never a
//! panic; what it reads is a JSON object, and a decoded ticket sent again decodes the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moov_support::rules::prepare;
use moov_support_proxy::api::NewTicket;
use moov_support_proxy::ApiError;

fuzz_target!(|data: &[u8]| {
    let decoded = match NewTicket::decode(data) {
        Ok(t) => t,
        Err(e) => {
            assert!(matches!(e, ApiError::MalformedJson(_)), "{e:?}");
            assert_eq!(e.status().as_u16(), 400);
            return;
        }
    };
    let value: serde_json::Value = serde_json::from_slice(data).expect("decoded non-JSON");
    assert!(value.is_object(), "decoded a non-object: {value}");

    let ticket = decoded.into_create(None);
    let json = serde_json::to_vec(&ticket).unwrap();
    let again = NewTicket::decode(&json)
        .expect("a decoded ticket does not decode again")
        .into_create(None);
    assert_eq!(again, ticket);

    if let Ok(prepared) = prepare(ticket) {
        assert_eq!(prepare(prepared.clone()).as_ref(), Ok(&prepared));
    }
});
