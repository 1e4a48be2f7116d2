//! The receive pipeline on the example zone: every protocol's verdict, the field, query
//! timing (SPF before the message, DKIM and ARC during it), any chunking, and forged
//! Authentication-Results.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::example;
use tegami::authenticator::{Authenticator, Config, Connection, Outcome};
use tegami::core::dns::{Resolver, Step, ZoneResolver};

const NOW: u64 = 1_795_424_500;

fn zone() -> ZoneResolver {
    ZoneResolver::from_master_file(&String::from_utf8(example("example.com.zone")).unwrap())
        .unwrap()
}

fn connection(ip: &str, helo: &str, mail_from: &str) -> Connection {
    Connection {
        ip: ip.parse().unwrap(),
        helo: helo.into(),
        mail_from: mail_from.into(),
    }
}

/// Runs the pipeline, feeding the message in `chunk`-sized pieces whenever it waits, and
/// records how many queries were asked before the first byte and before the end.
fn run(message: &[u8], connection: Connection, chunk: usize) -> (Outcome, usize, usize) {
    let zone = zone();
    let mut pipeline = Authenticator::new(connection, Config::new("mx.example.net"), NOW);
    let mut fed = 0;
    let mut ended = false;
    let mut asked = 0;
    let (mut before_input, mut before_end) = (usize::MAX, usize::MAX);
    loop {
        match pipeline.poll() {
            Step::Lookup(queries) => {
                asked += queries.len();
                for query in &queries {
                    pipeline
                        .handle_answer(query.id, zone.lookup(query))
                        .unwrap();
                }
                if queries.is_empty() {
                    if fed == 0 {
                        before_input = asked;
                    }
                    if fed < message.len() {
                        let end = (fed + chunk).min(message.len());
                        pipeline.handle_input(&message[fed..end]).unwrap();
                        fed = end;
                    } else if !ended {
                        before_end = asked;
                        pipeline.handle_end();
                        ended = true;
                    }
                }
            }
            Step::Done(outcome) => return (outcome, before_input, before_end),
        }
    }
}

#[test]
fn signed_message_passes_everything() {
    let (outcome, before_input, before_end) = run(
        &example("signed.eml"),
        connection("192.0.2.25", "mail.example.com", "alice@example.com"),
        usize::MAX,
    );
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "pass");
    assert!(outcome.dkim.iter().all(|r| r.result.as_str() == "pass"));
    assert_eq!(outcome.dkim.len(), 2);
    assert_eq!(outcome.arc.as_ref().unwrap().status.as_str(), "none");
    assert_eq!(outcome.dmarc.result.as_str(), "pass");
    let field = outcome.field();
    assert!(
        field.starts_with("Authentication-Results: mx.example.net;"),
        "{field}"
    );
    for method in ["spf=pass", "dkim=pass", "arc=none", "dmarc=pass"] {
        assert!(field.contains(method), "{method} in {field}");
    }
    // SPF asked before the message arrived; DKIM keys before its end.
    assert!(before_input >= 1, "{before_input}");
    assert!(before_end > before_input, "{before_input} {before_end}");
    assert!(outcome.forged_results.is_empty());
}

#[test]
fn any_chunking_gives_the_same_field() {
    let message = example("signed.eml");
    let connection = connection("192.0.2.25", "mail.example.com", "alice@example.com");
    let (whole, _, _) = run(&message, connection.clone(), usize::MAX);
    for chunk in [1, 7, 64, 1000] {
        let (outcome, _, _) = run(&message, connection.clone(), chunk);
        assert_eq!(outcome.field(), whole.field(), "chunk {chunk}");
    }
}

#[test]
fn spoof_fails_dmarc_with_reject() {
    let (outcome, _, _) = run(
        &example("message.eml"),
        connection("203.0.113.9", "evil.example", "ceo@example.com"),
        usize::MAX,
    );
    assert_eq!(outcome.spf.as_ref().unwrap().result.as_str(), "fail");
    assert_eq!(outcome.dmarc.result.as_str(), "fail");
    assert_eq!(outcome.dmarc.disposition.as_str(), "reject");
}

#[test]
fn forged_results_claiming_our_id_are_found() {
    let mut message = b"Authentication-Results: mx.example.net; dmarc=pass header.from=example.com\r\nAuthentication-Results: other.example; spf=pass\r\n".to_vec();
    message.extend_from_slice(&example("message.eml"));
    let (outcome, _, _) = run(
        &message,
        connection("192.0.2.25", "mail.example.com", "alice@example.com"),
        usize::MAX,
    );
    assert_eq!(outcome.forged_results.len(), 1);
    let range = outcome.forged_results[0].clone();
    assert!(message[range.clone()].starts_with(b"Authentication-Results: mx.example.net;"));
    assert!(message[..range.end].ends_with(b"\r\n"));
    // The forged pass does not leak into our verdict: the message is unsigned.
    assert!(!outcome.dmarc.dkim_aligned());
}

/// How a test driver orders DNS answers.
#[derive(Clone, Copy, Debug)]
enum Order {
    /// The newest pending query first, and input only when nothing is pending.
    Reverse,
    /// A pseudo-random pending query or input chunk at each step, from this seed.
    Random(u64),
}

/// Runs the pipeline holding every query back and answering in `order`, interleaved with
/// input chunks of `chunk` octets.
fn run_ordered(message: &[u8], connection: Connection, chunk: usize, order: Order) -> Outcome {
    let zone = zone();
    let mut pipeline = Authenticator::new(connection, Config::new("mx.example.net"), NOW);
    let mut pending: Vec<tegami::core::dns::Query> = Vec::new();
    let mut fed = 0;
    let mut ended = false;
    let mut seed = match order {
        Order::Random(seed) => seed | 1,
        Order::Reverse => 1,
    };
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap()
    };
    loop {
        match pipeline.poll() {
            Step::Done(outcome) => {
                assert!(pending.is_empty(), "done with queries unanswered");
                return outcome;
            }
            Step::Lookup(queries) => {
                pending.extend(queries);
                let input_left = fed < message.len() || !ended;
                // Choose: answer a pending query, or feed input.
                let answer = match order {
                    Order::Reverse => pending.pop(),
                    Order::Random(_) => {
                        let choices = pending.len() + usize::from(input_left);
                        if choices == 0 {
                            None
                        } else {
                            let pick = next(choices);
                            (pick < pending.len()).then(|| pending.swap_remove(pick))
                        }
                    }
                };
                if let Some(query) = answer {
                    pipeline
                        .handle_answer(query.id, zone.lookup(&query))
                        .unwrap();
                } else if fed < message.len() {
                    let end = (fed + chunk).min(message.len());
                    pipeline.handle_input(&message[fed..end]).unwrap();
                    fed = end;
                } else if !ended {
                    pipeline.handle_end();
                    ended = true;
                } else {
                    panic!("the pipeline waits with nothing pending and all input given");
                }
            }
        }
    }
}

/// Every verdict of an outcome, in a comparable form.
fn verdicts(outcome: &Outcome) -> (String, Vec<String>, String, String, String) {
    (
        outcome
            .spf
            .as_ref()
            .map(|s| s.result.as_str().to_owned())
            .unwrap_or_default(),
        outcome
            .dkim
            .iter()
            .map(|d| d.result.as_str().to_owned())
            .collect(),
        outcome
            .arc
            .as_ref()
            .map(|a| a.status.as_str().to_owned())
            .unwrap_or_default(),
        outcome.dmarc.result.as_str().to_owned(),
        outcome.field(),
    )
}

#[test]
fn answers_in_reverse_and_random_order_with_any_chunking_give_the_same_results() {
    let cases = [
        (
            example("signed.eml"),
            connection("192.0.2.25", "mail.example.com", "alice@example.com"),
        ),
        (
            example("message.eml"),
            connection("203.0.113.9", "evil.example", "ceo@example.com"),
        ),
    ];
    for (message, connection) in cases {
        let (baseline, _, _) = run(&message, connection.clone(), usize::MAX);
        let expected = verdicts(&baseline);
        for chunk in [1, 13, 512, usize::MAX] {
            let mut orders = vec![Order::Reverse];
            orders.extend((1..=8).map(|seed| Order::Random(seed * 0x9e37_79b9)));
            for order in orders {
                let outcome = run_ordered(&message, connection.clone(), chunk, order);
                assert_eq!(verdicts(&outcome), expected, "chunk {chunk}, {order:?}");
            }
        }
    }
}
