module federationegress/helmrender

go 1.19
