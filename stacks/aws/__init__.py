"""The AWS target (pulumi-aws): landing zone and wave stacks from a utflytt plan.

Import ``stacks.aws.program`` lazily: it pulls in pulumi-aws.
"""
