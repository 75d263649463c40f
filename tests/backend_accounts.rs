//! Accounts on eddy's backend, through the AWS SDKs: the account a request
//! acts in comes from its access key (a 12-digit access key id is that
//! account, any other the configured one, as on LocalStack), and each
//! account has its own state. Runs against eddy's backend only (moto has
//! its own rules for this).

mod common;

use common::Target;

/// The SDK configuration of a caller signing with `access_key`.
async fn sdk_config(access_key: &str) -> aws_types::SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(Target::Eddy.endpoint())
        .region(aws_types::region::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::from_keys(
            access_key, "test", None,
        ))
        .load()
        .await
}

const SECOND: &str = "000000000002";

#[test]
fn the_access_key_picks_the_account_and_each_account_has_its_own_state() {
    common::runtime().block_on(async {
        let first = sdk_config("test").await;
        let second = sdk_config(SECOND).await;
        // STS answers the access key's account.
        for (conf, account) in [(&first, "000000000000"), (&second, SECOND)] {
            let me = aws_sdk_sts::Client::new(conf)
                .get_caller_identity()
                .send()
                .await
                .expect("GetCallerIdentity");
            assert_eq!(me.account(), Some(account));
            assert_eq!(
                me.arn(),
                Some(format!("arn:aws:iam::{account}:root").as_str())
            );
        }
        // The same bus name in both accounts: two buses, each with its account's ARN.
        let bus = common::unique("accounts-bus");
        let mut arns = Vec::new();
        for conf in [&first, &second] {
            let out = aws_sdk_eventbridge::Client::new(conf)
                .create_event_bus()
                .name(&bus)
                .send()
                .await
                .expect("CreateEventBus in each account");
            arns.push(out.event_bus_arn().unwrap_or_default().to_string());
        }
        assert_eq!(
            arns,
            [
                format!("arn:aws:events:us-east-1:000000000000:event-bus/{bus}"),
                format!("arn:aws:events:us-east-1:{SECOND}:event-bus/{bus}"),
            ]
        );
        // A rule in the second account only.
        let events2 = aws_sdk_eventbridge::Client::new(&second);
        events2
            .put_rule()
            .name("only-second")
            .event_bus_name(&bus)
            .event_pattern(r#"{"source":["s"]}"#)
            .send()
            .await
            .expect("PutRule");
        let rules = |conf: aws_types::SdkConfig| {
            let bus = bus.clone();
            async move {
                aws_sdk_eventbridge::Client::new(&conf)
                    .list_rules()
                    .event_bus_name(bus)
                    .send()
                    .await
                    .expect("ListRules")
                    .rules()
                    .iter()
                    .filter_map(|r| r.name().map(str::to_string))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(rules(first.clone()).await, Vec::<String>::new());
        assert_eq!(rules(second.clone()).await, ["only-second"]);
        // CloudWatch Logs: the same group name in both accounts.
        let group = common::unique("accounts-g");
        for (conf, account) in [(&first, "000000000000"), (&second, SECOND)] {
            let logs = aws_sdk_cloudwatchlogs::Client::new(conf);
            logs.create_log_group()
                .log_group_name(&group)
                .send()
                .await
                .expect("CreateLogGroup in each account");
            let found = logs
                .describe_log_groups()
                .log_group_name_prefix(&group)
                .send()
                .await
                .expect("DescribeLogGroups");
            let arns: Vec<_> = found.log_groups().iter().filter_map(|g| g.arn()).collect();
            assert_eq!(
                arns,
                [format!(
                    "arn:aws:logs:us-east-1:{account}:log-group:{group}:*"
                )]
            );
        }
        // SQS: the same queue name, one queue per account.
        let name = common::unique("accounts-q");
        let mut urls = Vec::new();
        for conf in [&first, &second] {
            let out = aws_sdk_sqs::Client::new(conf)
                .create_queue()
                .queue_name(&name)
                .send()
                .await
                .expect("CreateQueue in each account");
            urls.push(out.queue_url().unwrap_or_default().to_string());
        }
        assert!(urls[0].contains("/000000000000/"), "{urls:?}");
        assert!(urls[1].contains(&format!("/{SECOND}/")), "{urls:?}");
    });
}
