terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  backend "s3" {
    bucket = "example-terraform-state"
    key    = "web/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.common_tags
  }
}

variable "region" {
  type        = string
  default     = "eu-west-1"
  description = "The AWS region to deploy into"
}

variable "instance_count" {
  type    = number
  default = 2

  validation {
    condition     = var.instance_count > 0 && var.instance_count <= 10
    error_message = "Between 1 and 10 instances, please."
  }
}

variable "enable_https" {
  type    = bool
  default = true
}

locals {
  name = "web-${terraform.workspace}"
  common_tags = {
    Project     = "web"
    Environment = terraform.workspace
    ManagedBy   = "terraform"
  }
  ports = var.enable_https ? [80, 443] : [80]
}

# Look up the newest Ubuntu image rather than pinning an AMI id.
data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"]
  }
}

resource "aws_security_group" "web" {
  name        = "${local.name}-sg"
  description = "HTTP(S) in, everything out"

  dynamic "ingress" {
    for_each = local.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "web" {
  count                  = var.instance_count
  ami                    = data.aws_ami.ubuntu.id
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.web.id]
  user_data              = templatefile("${path.module}/cloud-init.yaml", { name = local.name })

  root_block_device {
    volume_size = 20
    encrypted   = true
  }

  tags = merge(local.common_tags, {
    Name = "${local.name}-${count.index + 1}"
  })

  lifecycle {
    create_before_destroy = true
  }
}

output "public_ips" {
  value       = [for instance in aws_instance.web : instance.public_ip]
  description = "Where the web servers answer"
}

output "first_dns" {
  value = length(aws_instance.web) > 0 ? aws_instance.web[0].public_dns : null
}
