# A static website bucket with a CDN in front.
variable "domain" {
  type        = string
  description = "The site's domain name"
}

variable "price_class" {
  type    = string
  default = "PriceClass_100"
}

locals {
  origin_id = "s3-${var.domain}"
  tags      = { Site = var.domain, Owner = "web-team" }
}

resource "aws_s3_bucket" "site" {
  bucket        = var.domain
  force_destroy = false
  tags          = local.tags
}

resource "aws_s3_bucket_versioning" "site" {
  bucket = aws_s3_bucket.site.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_cloudfront_distribution" "cdn" {
  enabled             = true
  default_root_object = "index.html"
  aliases             = [var.domain, "www.${var.domain}"]
  price_class         = var.price_class

  origin {
    domain_name = aws_s3_bucket.site.bucket_regional_domain_name
    origin_id   = local.origin_id
  }

  default_cache_behavior {
    target_origin_id       = local.origin_id
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    min_ttl                = 0
    default_ttl            = 3600
    max_ttl                = 86400
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

module "dns" {
  source  = "./modules/dns"
  zone    = var.domain
  target  = aws_cloudfront_distribution.cdn.domain_name
}

output "cdn_url" {
  value = "https://${aws_cloudfront_distribution.cdn.domain_name}/"
}
