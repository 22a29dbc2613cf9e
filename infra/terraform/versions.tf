terraform {
  required_version = ">= 1.6"

  required_providers {
    civo = {
      source  = "civo/civo"
      version = "~> 1.1"
    }
  }

  # State: local by default (terraform.tfstate.d/<workspace>/). For a team, configure a remote
  # backend here (for example an S3-compatible bucket in Civo Object Store) before the first apply.
}

provider "civo" {
  # The API token comes from the CIVO_TOKEN environment variable; never put it in a file.
  region = var.region
}
