//! The multipart upload family: one file per operation, as for the others.
//! [`crate::transfer`] drives them for large `put-object` bodies.

pub mod abort;
pub mod complete;
pub mod create;
pub mod list_parts;
pub mod list_uploads;
pub mod upload_part;

use crate::error::{Error, Result};

/// S3's largest part number (and part count).
pub const MAX_PARTS: u32 = 10_000;

/// Check a part number: 1 to 10,000.
pub fn part_number(n: u32) -> Result<()> {
    if (1..=MAX_PARTS).contains(&n) {
        Ok(())
    } else {
        Err(Error::invalid_input("InvalidPartNumber", format!("partNumber is {n}; S3 numbers parts from 1 to 10000.")))
    }
}

/// Check an upload id: not blank.
pub fn upload_id(id: &str) -> Result<()> {
    if id.trim().is_empty() {
        Err(Error::invalid_input("InvalidUploadId", "uploadId is empty: give the UploadId that createMultipartUpload returned."))
    } else {
        Ok(())
    }
}

/// The query of a request about one upload.
pub fn upload_query(id: &str) -> String {
    crate::encode::query(&[("uploadId", id)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_numbers_and_upload_ids_are_checked() {
        part_number(1).unwrap();
        part_number(10_000).unwrap();
        assert_eq!(part_number(0).unwrap_err().code, "InvalidPartNumber");
        assert_eq!(part_number(10_001).unwrap_err().code, "InvalidPartNumber");
        assert_eq!(upload_id(" ").unwrap_err().code, "InvalidUploadId");
        assert_eq!(upload_query("a/b+c"), "uploadId=a%2Fb%2Bc");
    }
}
