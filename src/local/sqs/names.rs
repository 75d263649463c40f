//! Where a queue lives: its account, region and name ([`QueueRef`]), read
//! from a queue URL or an ARN, and written back as the queue's ARN (the key
//! of the service's queue map) and URL. Queue state is kept per account and
//! region, as on AWS.
//!
//! The URLs this backend gives out name the region in their path
//! (`http://127.0.0.1:4566/queue/eu-west-1/000000000000/orders`, LocalStack's
//! "path" form), so they differ per region and still reach this server.
//! It also reads AWS's forms (`https://sqs.eu-west-1.amazonaws.com/ACCOUNT/NAME`,
//! `https://eu-west-1.queue.amazonaws.com/...`) and the region-less
//! `http://127.0.0.1:4566/ACCOUNT/NAME` it gave out before, which names a
//! queue of the request's region.

/// A queue's account, region and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct QueueRef {
    pub(super) account: String,
    pub(super) region: String,
    pub(super) name: String,
}

impl QueueRef {
    pub(super) fn new(account: &str, region: &str, name: &str) -> QueueRef {
        QueueRef {
            account: account.to_string(),
            region: region.to_string(),
            name: name.to_string(),
        }
    }

    /// The queue's ARN: also its key in the service's map.
    pub(super) fn arn(&self) -> String {
        format!("arn:aws:sqs:{}:{}:{}", self.region, self.account, self.name)
    }

    /// The queue's URL on the server at `base` (`http://127.0.0.1:PORT`).
    pub(super) fn url(&self, base: &str) -> String {
        format!(
            "{base}/queue/{}/{}/{}",
            self.region, self.account, self.name
        )
    }

    /// The queue an SQS ARN names (`arn:PARTITION:sqs:REGION:ACCOUNT:NAME`).
    pub(super) fn from_arn(arn: &str) -> Option<QueueRef> {
        let mut it = arn.splitn(6, ':');
        if it.next()? != "arn" {
            return None;
        }
        let _partition = it.next()?;
        let service = it.next()?;
        let region = it.next()?;
        let account = it.next()?;
        let name = it.next()?;
        (service == "sqs" && !region.is_empty() && !account.is_empty() && !name.is_empty())
            .then(|| QueueRef::new(account, region, name))
    }

    /// The queue a queue URL names; what the URL leaves out (the region,
    /// the account) is the request's (`region`, `account`).
    pub(super) fn from_url(url: &str, region: &str, account: &str) -> QueueRef {
        let url = url.trim().trim_end_matches('/');
        let (host, path) = match url.split_once("://") {
            Some((_, rest)) => rest.split_once('/').unwrap_or((rest, "")),
            None => ("", url),
        };
        let host = host.rsplit('@').next().unwrap_or(host);
        let host = host.split(':').next().unwrap_or(host);
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let name = parts.last().copied().unwrap_or("");
        let acct = match parts.len() {
            n if n >= 2 => parts[n - 2],
            _ => account,
        };
        let labels: Vec<&str> = host.split('.').collect();
        let in_path = match parts.len() {
            n if n >= 4 && parts[n - 4] == "queue" => Some(parts[n - 3]),
            _ => None,
        };
        let in_host = if labels.len() > 2 && labels[0] == "sqs" {
            Some(labels[1])
        } else if labels.len() > 2 && labels[1] == "queue" {
            Some(labels[0])
        } else {
            None
        };
        let region = in_path.or(in_host).unwrap_or(region);
        QueueRef::new(acct, region, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_urls_and_arns_name_account_region_and_queue() {
        let q = QueueRef::new("000000000000", "eu-west-1", "orders");
        assert_eq!(q.arn(), "arn:aws:sqs:eu-west-1:000000000000:orders");
        let url = q.url("http://127.0.0.1:4566");
        assert_eq!(
            url,
            "http://127.0.0.1:4566/queue/eu-west-1/000000000000/orders"
        );
        // What this server gives out reads back, whatever the request's region.
        assert_eq!(QueueRef::from_url(&url, "us-east-1", "1"), q);
        assert_eq!(QueueRef::from_arn(&q.arn()), Some(q.clone()));
        // AWS's forms.
        for aws in [
            "https://sqs.eu-west-1.amazonaws.com/000000000000/orders",
            "https://eu-west-1.queue.amazonaws.com/000000000000/orders/",
            "http://sqs.eu-west-1.localhost.localstack.cloud:4566/000000000000/orders",
        ] {
            assert_eq!(QueueRef::from_url(aws, "us-east-1", "1"), q, "{aws}");
        }
        // The region-less form names a queue of the request's region.
        assert_eq!(
            QueueRef::from_url(
                "http://127.0.0.1:4566/000000000000/orders",
                "eu-west-1",
                "1"
            ),
            q
        );
        // A bare name: the request's account and region.
        assert_eq!(QueueRef::from_url("orders", "eu-west-1", "000000000000"), q);
        assert_eq!(QueueRef::from_arn("arn:aws:sns:eu-west-1:1:t"), None);
        assert_eq!(QueueRef::from_arn("orders"), None);
    }
}
