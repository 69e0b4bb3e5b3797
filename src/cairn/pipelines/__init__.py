"""cairn.pipelines."""
